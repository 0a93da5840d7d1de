package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

class BatchCommandTest {

    @TempDir
    Path dir;

    /** Good inputs by relative name -> fixture. */
    private static final Map<String, String> GOOD = Map.of("sample.pth", "sample.pth",
            "resnet/train_sgd.ckpt", "train_sgd.ckpt", "resnet/deep/tied.pth", "tied.pth");
    private static final Pattern STATUS = Pattern.compile("^\\{\"input\":\"([^\"]*)\",\"output\":\"[^\"]*\","
            + "\"status\":\"(ok|skipped|failed)\",\"error\":(null|\"((?:[^\"\\\\]|\\\\.)*)\"),.*\"selection\":\"auto\","
            + "\"rules\":\\[.*\\]}$");

    private Path zoo(boolean withBad) throws IOException {
        Path zoo = dir.resolve("zoo");
        for (var e : GOOD.entrySet()) {
            copy(Fixtures.file(e.getValue()), zoo.resolve(e.getKey()));
        }
        if (withBad) {
            copy(Fixtures.hostile("truncated_half.pth"), zoo.resolve("broken/truncated_half.pth"));
            copy(Fixtures.hostile("os_system_p2.pth"), zoo.resolve("resnet/os_system_p2.pth"));
            copy(Fixtures.file("quantized.pth"), zoo.resolve("quantized.pth"));
        }
        return zoo;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }

    private static void assertMatchesManifest(Path out, String file) throws Exception {
        SafetensorsFile st = SafetensorsFile.read(out);
        List<ManifestRow> rows = Fixtures.manifest(file, "auto");
        assertEquals(rows.stream().map(ManifestRow::name).sorted().toList(), st.names().stream().sorted().toList());
        for (ManifestRow r : rows) {
            assertEquals(r.sha256(), st.entries().get(r.name()).sha256(), r.name());
        }
    }

    private void assertGoodOutputs(Path out) throws Exception {
        for (var e : GOOD.entrySet()) {
            assertMatchesManifest(out.resolve(e.getKey().replaceAll("\\.[a-z]+$", ".safetensors")), e.getValue());
        }
    }

    private static Map<String, Long> times(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                out.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }

    private static List<String> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void aMixedZooConvertsTheGoodReportsTheBadAndExits1() throws Exception {
        Path zoo = zoo(true);
        Path out = dir.resolve("out");
        Path report = dir.resolve("report.jsonl");
        CliRun r = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), zoo.toString(),
                "--report", report.toString(), "--jobs", "2");
        assertEquals(1, r.code(), r.toString());
        assertGoodOutputs(out);
        assertEquals(List.of(), leftovers(out));
        List<String> err = r.err().strip().lines().toList();
        assertEquals(4, err.size(), r.toString());
        assertTrue(err.get(3).matches("3 converted, 0 skipped, 3 failed in [0-9.]+ s, [0-9.]+ KiB"), err.get(3));
        // one valid line per input; a failure's error is exactly the line convert prints for that file
        List<String> lines = Files.readAllLines(report);
        assertEquals(6, lines.size(), String.join("\n", lines));
        int failed = 0;
        for (String line : lines) {
            Matcher m = STATUS.matcher(line);
            assertTrue(m.matches(), line);
            if (m.group(2).equals("failed")) {
                failed++;
                String input = m.group(1);
                CliRun convert = CliRun.of("convert", input, dir.resolve("single.safetensors").toString());
                assertEquals(1, convert.code(), convert.toString());
                String expected = convert.err().strip();
                assertEquals(expected, "pthconvert: " + m.group(4).replace("\\\"", "\"").replace("\\\\", "\\"));
                assertTrue(err.contains(expected), r.toString());
            }
        }
        assertEquals(3, failed);
        assertTrue(r.err().contains("os.system"), r.err());
        assertTrue(r.err().contains("--skip-unsupported"), r.err());
    }

    @Test
    void aRerunOverAFinishedBatchWritesNothingAndForceRedoesIt() throws Exception {
        Path zoo = zoo(false);
        Path out = dir.resolve("out");
        CliRun first = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), zoo.toString());
        assertEquals(0, first.code(), first.toString());
        assertGoodOutputs(out);
        Map<String, Long> before = times(out);
        CliRun again = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), zoo.toString(),
                "--report", dir.resolve("r.jsonl").toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().startsWith("0 converted, 3 skipped, 0 failed"), again.err());
        assertEquals(before, times(out));
        assertEquals(3, Files.readAllLines(dir.resolve("r.jsonl")).stream()
                .filter(l -> l.contains("\"status\":\"skipped\"")).count());
        CliRun forced = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), zoo.toString(),
                "--force", "-q");
        assertEquals(0, forced.code(), forced.toString());
        assertEquals("", forced.err());
        assertGoodOutputs(out);
    }

    @Test
    void twoInputsForOneOutputAreRefusedBeforeAnyWork() throws Exception {
        Path a = dir.resolve("one/model.pth");
        Path b = dir.resolve("two/model.pth");
        copy(Fixtures.file("sample.pth"), a);
        copy(Fixtures.file("tied.pth"), b);
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), a.toString(), b.toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains(a.toString()) && r.err().contains(b.toString()), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aListFileNamesTheInputs() throws Exception {
        Path zoo = zoo(false);
        Path list = dir.resolve("models.txt");
        Files.writeString(list, "# weights to convert\n" + zoo.resolve("sample.pth") + "\n\n"
                + zoo.resolve("resnet") + "\n");
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), "@" + list, "--json");
        assertEquals(0, r.code(), r.toString());
        assertMatchesManifest(out.resolve("sample.safetensors"), "sample.pth");
        assertMatchesManifest(out.resolve("train_sgd.safetensors"), "train_sgd.ckpt");
        assertMatchesManifest(out.resolve("deep/tied.safetensors"), "tied.pth");
        assertEquals(3, r.out().lines().filter(l -> STATUS.matcher(l).matches()).count(), r.out());
    }

    @Test
    void shardedOutputsAreAFolderPerInput() throws Exception {
        Path zoo = zoo(false);
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), zoo.toString(),
                "--max-shard-size", "1KB", "-q");
        assertEquals(0, r.code(), r.toString());
        for (String folder : List.of("sample", "resnet/train_sgd", "resnet/deep/tied")) {
            // one shard is model.safetensors alone, as Hugging Face writes it; more come with an index
            assertTrue(Files.isRegularFile(out.resolve(folder).resolve("model.safetensors.index.json"))
                    || Files.isRegularFile(out.resolve(folder).resolve("model.safetensors")), folder);
        }
    }

    @Test
    void usageErrorsExit2AndConvertNothing() throws Exception {
        Path zoo = zoo(false);
        String out = dir.resolve("out").toString();
        for (String[] args : List.of(
                new String[] {"batch", "--out-dir", out, zoo.toString()},
                new String[] {"batch", "--to", "safetensors", zoo.toString()},
                new String[] {"batch", "--to", "nosuchformat", "--out-dir", out, zoo.toString()},
                new String[] {"batch", "--to", "safetensors", "--out-dir", out, "--jobs", "0", zoo.toString()},
                new String[] {"batch", "--to", "safetensors", "--out-dir", out, "--pattern", "*.xyz", zoo.toString()},
                new String[] {"batch", "--to", "safetensors", "--out-dir", out, dir.resolve("missing").toString()},
                new String[] {"batch", "--to", "npz", "--out-dir", out, "--dedupe", zoo.toString()},
                new String[] {"batch", "--to", "safetensors", "--out-dir", out, "--dtype", "int8", zoo.toString()})) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r);
            assertFalse(r.err().contains("Exception"), r.toString());
            assertFalse(Files.exists(Path.of(out)), String.join(" ", args));
        }
    }

    @Test
    void everyConvertOptionApplies() throws Exception {
        Path zoo = zoo(false);
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("batch", "--to", "safetensors", "--out-dir", out.toString(), zoo.toString(),
                "--select", "all", "--exclude", "*.bias", "--metadata", "source=zoo", "-q");
        assertEquals(0, r.code(), r.toString());
        SafetensorsFile st = SafetensorsFile.read(out.resolve("resnet/train_sgd.safetensors"));
        assertTrue(st.names().stream().anyMatch(n -> n.startsWith("optimizer.")), st.names().toString());
        assertTrue(st.names().stream().noneMatch(n -> n.endsWith(".bias")), st.names().toString());
        assertTrue(st.header().contains("\"source\":\"zoo\""), st.header());
    }

    @Test
    void everyInstalledFormatWorksInABatch() throws Exception {
        Path zoo = zoo(false);
        for (org.pthconvert.writers.TensorWriter w : org.pthconvert.writers.Writers.standard().all()) {
            Path out = dir.resolve("out-" + w.name());
            CliRun r = CliRun.of("batch", "--to", w.name(), "--out-dir", out.toString(), zoo.toString(), "-q");
            assertEquals(0, r.code(), w.name() + "\n" + r);
            String ext = w.extensions().get(0);
            for (String rel : GOOD.keySet()) {
                Path o = out.resolve(rel.replaceAll("\\.[a-z]+$", ext));
                assertTrue(Files.isRegularFile(o) && Files.size(o) > 0, o.toString());
            }
        }
    }

    @Test
    void helpListsTheCommandAndItsOptions() {
        CliRun top = CliRun.of("--help");
        assertTrue(top.out().contains("batch"), top.out());
        CliRun r = CliRun.of("batch", "--help");
        assertEquals(0, r.code());
        for (String flag : List.of("--out-dir", "--pattern", "--jobs", "--fail-fast", "--report", "--follow-links",
                "--select", "--dtype", "--max-shard-size", "--force")) {
            assertTrue(r.out().contains(flag), flag);
        }
    }

    @Test
    void summaryLineReadsAsTheIssueShowsIt() {
        assertEquals("118 converted, 3 skipped, 2 failed in 41 s, 23.4 GiB", BatchCommand.summaryLine(
                new org.pthconvert.writers.batch.BatchSummary(118, 3, 2, 0, 25125558681L, 41.2, false)));
    }
}
