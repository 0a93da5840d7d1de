package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

/**
 * A batch killed with SIGKILL (no shutdown hook runs, temporaries stay) in the middle of its work:
 * rerunning the same command converts exactly what is missing, keeps what was finished, and leaves
 * no temporary behind. Runs the real launcher and jar in a child JVM.
 */
class BatchKillIT {

    private static final int COPIES = 150;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) converted, (\\d+) skipped, 0 failed in .*");

    @Test
    void aKilledBatchIsFinishedByRunningItAgain() throws Exception {
        Path work = LaunchedCli.freshWork("batch-kill");
        Path zoo = work.resolve("zoo");
        for (int i = 0; i < COPIES; i++) {
            Path to = zoo.resolve("part" + (i % 5)).resolve("m" + i + ".pt");
            Files.createDirectories(to.getParent());
            Files.copy(Fixtures.file("train_adam.pt"), to);
        }
        Path out = work.resolve("out");
        Path logs = work.resolve("logs");
        Files.createDirectories(logs);
        List<String> cmd = List.of(LaunchedCli.bin("pthconvert").toString(), "batch", "--to", "safetensors",
                "--out-dir", out.toString(), zoo.toString(), "--jobs", "1", "-q");
        Process p = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(logs.resolve("first.out").toFile()).redirectError(logs.resolve("first.err").toFile())
                .start();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (outputs(out) == 0 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (!p.isAlive()) {
            fail("the batch ended (exit " + p.exitValue() + ") before it could be killed: "
                    + Files.readString(logs.resolve("first.err")));
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly(); // SIGKILL: no shutdown hook, temporaries stay where they are
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after SIGKILL");
        long done = outputs(out);
        assertTrue(done > 0 && done < COPIES, done + " outputs after the kill");

        LaunchedCli.Result rerun = LaunchedCli.run(work, logs, Map.of(), TIMEOUT, "pthconvert", "batch", "--to",
                "safetensors", "--out-dir", out, zoo, "--jobs", "2");
        assertEquals(0, rerun.exitCode(), rerun.describe());
        Matcher m = SUMMARY.matcher(rerun.stderr().strip());
        assertTrue(m.matches(), rerun.describe());
        assertEquals(done, Long.parseLong(m.group(2)), "finished outputs are kept: " + rerun.describe());
        assertEquals(COPIES - done, Long.parseLong(m.group(1)), rerun.describe());
        assertEquals(COPIES, outputs(out));
        try (Stream<Path> s = Files.walk(out)) {
            List<String> hidden = s.map(q -> q.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertEquals(List.of(), hidden, "temporaries left behind");
        }
        List<ManifestRow> rows = Fixtures.manifest("train_adam.pt", "auto");
        try (Stream<Path> s = Files.walk(out)) {
            for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                SafetensorsFile st = SafetensorsFile.read(f);
                assertEquals(rows.size(), st.entries().size(), f.toString());
                for (ManifestRow r : rows) {
                    assertEquals(r.sha256(), st.entries().get(r.name()).sha256(), f + " " + r.name());
                }
            }
        }
    }

    private static long outputs(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(q -> q.getFileName().toString().endsWith(".safetensors")
                    && !q.getFileName().toString().startsWith(".")).count();
        }
    }
}
