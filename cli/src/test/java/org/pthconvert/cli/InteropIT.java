package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The interop stage of {@code mvn verify}: every output pthconvert writes, read back bit for bit by
 * the reference readers people use ({@code safetensors.torch.load_file}, {@code numpy.load}, ...).
 *
 * <p>It makes (or reuses) the Python venv with {@code testdata/venv.sh} — failing with that script's
 * message, which says what to install, when it cannot — then runs {@code cli/src/test/python/interop.py}
 * with the venv's Python against the real launcher and the jar under test, streaming its one line per
 * check into the test log. The script converts every fixture to every format the CLI knows and fails
 * on a format it has no reader for, so the stage grows with every writer. Nothing is skipped.
 */
class InteropIT {

    private static final Duration VENV_TIMEOUT = Duration.ofMinutes(15);
    /**
     * Only against a hang: the stage takes ~4-5 min on an idle 2-core machine and went past 10 min
     * while four other builds shared the cores; a guard at least 5x the typical run.
     */
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern SUMMARY = Pattern.compile("^(\\d+) passed, (\\d+) failed$");

    @Test
    void everyOutputReadsBackInTheReferenceReaders() throws Exception {
        Path root = LaunchedCli.root();
        Path jar = LaunchedCli.jar();
        Map<String, String> env = Map.of("PTHCONVERT_JAR", jar.toString());

        // 1. The venv: made once, reused from the git-ignored .venv; a failure says what to install.
        List<String> venvLog = Collections.synchronizedList(new ArrayList<>());
        int venv = LaunchedCli.stream(List.of("bash", root.resolve("testdata/venv.sh").toString()), root, env,
                VENV_TIMEOUT, line -> {
                    venvLog.add(line);
                    System.out.println("[venv.sh] " + line);
                });
        if (venv != 0) {
            fail("testdata/venv.sh could not make the Python venv the interop stage needs ("
                    + (venv < 0 ? "timed out after " + VENV_TIMEOUT.toMinutes() + " min" : "exit " + venv) + "):\n  "
                    + String.join("\n  ", venvLog)
                    + "\nInstall what it names (python3, python3-venv, or a package index pip can reach), then rerun.");
        }
        String venvDir = System.getenv("PTHCONVERT_VENV");
        Path python = (venvDir != null && !venvDir.isBlank() ? Path.of(venvDir) : root.resolve(".venv"))
                .resolve("bin/python");
        assertTrue(Files.isExecutable(python), "testdata/venv.sh succeeded but " + python + " is not executable");

        // 2. The checker, streamed into the test log.
        Path work = LaunchedCli.freshWork("interop");
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> summary = Collections.synchronizedList(new ArrayList<>());
        List<String> cmd = List.of(python.toString(), root.resolve("cli/src/test/python/interop.py").toString(),
                "--root", root.toString(), "--launcher", LaunchedCli.bin("pthconvert").toString(),
                "--work", work.toString(), "--jobs", "2");
        System.out.println("[interop] " + String.join(" ", cmd));
        long start = System.nanoTime();
        int rc = LaunchedCli.stream(cmd, root, env, SUITE_TIMEOUT, line -> {
            System.out.println("[interop] " + line);
            if (line.startsWith("FAIL ")) {
                failures.add(line);
            }
            if (SUMMARY.matcher(line).matches()) {
                summary.add(line);
            }
        });
        System.out.printf("[interop] finished in %.1f s%n", (System.nanoTime() - start) / 1e9);

        if (rc < 0) {
            fail("interop.py timed out after " + SUITE_TIMEOUT.toMinutes() + " min; failures so far:\n  "
                    + String.join("\n  ", failures));
        }
        String last = summary.isEmpty() ? "(no 'N passed, M failed' line)" : summary.get(summary.size() - 1);
        if (rc != 0 || !failures.isEmpty()) {
            fail("interop.py: " + last + " (exit " + rc + ")\n  " + String.join("\n  ", failures));
        }
        Matcher m = SUMMARY.matcher(last);
        assertTrue(m.matches(), "interop.py exited 0 without its summary line");
        assertEquals("0", m.group(2), last);
        assertTrue(Integer.parseInt(m.group(1)) > 0, "interop.py checked nothing: " + last);
    }
}
