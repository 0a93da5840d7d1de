package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

class StripCommandTest {

    @TempDir
    Path dir;

    @Test
    void stripsATrainingCheckpointAndSaysWhatItDropped() throws Exception {
        Path out = dir.resolve("model.pth");
        CliRun r = CliRun.of("strip", Fixtures.file("train_sgd.ckpt").toString(), out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("kept 9 tensors (") && r.err().contains(" under 'model'; dropped optimizer ("),
                r.toString());
        assertTrue(r.err().contains("), scheduler, iteration, epoch; ") && r.err().contains("x smaller"), r.toString());
        List<ManifestRow> rows = Fixtures.manifest("train_sgd.ckpt", Fixtures.SELECT_AUTO);
        try (Checkpoint back = Checkpoint.open(out)) {
            assertEquals(rows.stream().map(ManifestRow::name).toList(),
                    back.tensors().stream().map(TensorEntry::name).toList());
            assertEquals("model", back.recordNames().isEmpty() ? null : topFolder(out));
        }
        assertTrue(Files.size(out) < Files.size(Fixtures.file("train_sgd.ckpt")));
    }

    /**
     * A state dict has nothing to drop, and its output can be a little larger than the input (records
     * aligned to 64 bytes, the top folder named after the output): the summary says so, not "1.0x smaller".
     */
    @Test
    void anOutputNoSmallerThanItsInputIsNotCalledSmaller() throws Exception {
        Path out = dir.resolve("sample-weights-only.pth");
        CliRun r = CliRun.of("strip", Fixtures.file("sample.pth").toString(), out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.size(out) > Files.size(Fixtures.file("sample.pth")) * 1.05, "premise: " + Files.size(out));
        assertFalse(r.err().contains("x smaller"), r.toString());
        assertTrue(r.err().contains("; larger than the input (5.5 KiB -> "), r.toString());
    }

    @Test
    void jsonGivesTheSameSummary() throws Exception {
        Path out = dir.resolve("w.pth");
        CliRun r = CliRun.of("strip", Fixtures.file("train_adam.pt").toString(), out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
        String j = r.out();
        assertTrue(j.contains("\"tensors\":6") && j.contains("\"under\":\"state_dict\""), j);
        assertTrue(j.contains("{\"key\":\"optimizer\",\"tensor_bytes\":5944}"), j);
        assertTrue(j.contains("\"output_bytes\":" + Files.size(out)), j);
        assertTrue(j.contains("\"input_bytes\":" + Files.size(Fixtures.file("train_adam.pt"))), j);
    }

    @Test
    void neverOverwritesItsInput() throws Exception {
        Path in = dir.resolve("in.pth");
        Files.copy(Fixtures.file("train_sgd.ckpt"), in);
        byte[] before = Files.readAllBytes(in);
        CliRun r = CliRun.of("strip", in.toString(), in.toString(), "--force");
        assertNotEquals(0, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("never overwrites its input"), r.toString());
        assertArrayEquals(before, Files.readAllBytes(in));
        assertEquals(List.of(in), Files.list(dir).toList());
    }

    @Test
    void refusesAnEmptySelection() throws Exception {
        Path out = dir.resolve("e.pth");
        CliRun r = CliRun.of("strip", Fixtures.file("sample.pth").toString(), out.toString(), "--include", "nope.*");
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("empty"), r.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void convertToPthWritesTheSameFormat() throws Exception {
        Path out = dir.resolve("c.pth");
        CliRun r = CliRun.of("convert", Fixtures.file("dtypes.pth").toString(), out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        try (Checkpoint back = Checkpoint.open(out)) {
            assertEquals(Fixtures.manifest("dtypes.pth", Fixtures.SELECT_AUTO).size(), back.tensors().size());
        }
    }

    @Test
    void tiedWeightsAndModuleVersionsSurviveTheWholePipeline() throws Exception {
        Path out = dir.resolve("tied.pth");
        assertEquals(0, CliRun.of("strip", Fixtures.file("tied.pth").toString(), out.toString(), "-q").code());
        try (Checkpoint back = Checkpoint.open(out); Checkpoint src = Checkpoint.open(Fixtures.file("tied.pth"))) {
            assertEquals(4, back.tensors().size());
            assertEquals(src.storages().size(), back.storages().size(), "embed.weight and decoder.weight share one");
            Selected sel = WeightSelector.select(back, Selection.parse("auto"));
            assertEquals(WeightSelector.select(src, Selection.parse("auto")).moduleMetadata(), sel.moduleMetadata());
            assertFalse(sel.moduleMetadata().isEmpty());
        }
    }

    @Test
    void aFixedSerializationIdGivesTheSameBytes() throws Exception {
        String id = "1234567890".repeat(4);
        Path a = dir.resolve("a.pth");
        Path b = dir.resolve("b").resolve("a.pth");
        Files.createDirectories(b.getParent());
        for (Path p : List.of(a, b)) {
            CliRun r = CliRun.of("strip", Fixtures.file("train_adam.pt").toString(), p.toString(), "-q",
                    "--serialization-id", id);
            assertEquals(0, r.code(), r.toString());
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        CliRun bad = CliRun.of("strip", Fixtures.file("train_adam.pt").toString(), dir.resolve("c.pth").toString(),
                "-O", "pth.serialization-id=12");
        assertEquals(2, bad.code(), bad.toString());
    }

    private static String topFolder(Path zip) throws Exception {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            String first = z.entries().nextElement().getName();
            return first.substring(0, first.indexOf('/'));
        }
    }
}
