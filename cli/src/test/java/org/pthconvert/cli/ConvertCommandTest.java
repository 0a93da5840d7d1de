package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

class ConvertCommandTest {

    @TempDir
    Path dir;

    private static String fixture(String name) {
        return Fixtures.file(name).toString();
    }

    private void assertMatchesManifest(Path out, String file, String select) throws Exception {
        SafetensorsFile st = SafetensorsFile.read(out);
        List<ManifestRow> rows = Fixtures.manifest(file, select);
        assertEquals(rows.stream().map(ManifestRow::name).sorted().toList(), st.names().stream().sorted().toList());
        for (ManifestRow r : rows) {
            assertEquals(r.sha256(), st.entries().get(r.name()).sha256(), r.name());
        }
    }

    @Test
    void convertsTheSampleToSafetensors() throws Exception {
        Path out = dir.resolve("sample.safetensors");
        CliRun r = CliRun.of("convert", fixture("sample.pth"), out.toString());
        assertEquals(0, r.code(), r.toString());
        assertMatchesManifest(out, "sample.pth", "auto");
        assertTrue(r.err().contains("6 tensors"), r.toString());
        assertTrue(st(out).header().contains("\"__metadata__\":{\"format\":\"pt\"}"), st(out).header());
    }

    private static SafetensorsFile st(Path p) throws Exception {
        return SafetensorsFile.read(p);
    }

    @Test
    void selectsAllTensorsOfATrainingCheckpoint() throws Exception {
        Path out = dir.resolve("all.safetensors");
        CliRun r = CliRun.of("convert", fixture("train_sgd.ckpt"), out.toString(), "--select", "all", "-q");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
        assertMatchesManifest(out, "train_sgd.ckpt", "all");
    }

    @Test
    void autoSelectionSaysWhichSubTreeItTook() throws Exception {
        Path out = dir.resolve("w.safetensors");
        CliRun r = CliRun.of("convert", fixture("train_sgd.ckpt"), out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("'model'"), r.err());
        assertMatchesManifest(out, "train_sgd.ckpt", "auto");
    }

    @Test
    void dataParallelPrefixIsRemovedAndReported() throws Exception {
        Path out = dir.resolve("dp.safetensors");
        CliRun r = CliRun.of("convert", fixture("dataparallel.pth"), out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("module."), r.err());
        assertFalse(st(out).names().stream().anyMatch(n -> n.startsWith("module.")));
        Path kept = dir.resolve("kept.safetensors");
        assertEquals(0, CliRun.of("convert", fixture("dataparallel.pth"), kept.toString(), "--keep-names").code());
        assertTrue(st(kept).names().stream().allMatch(n -> n.startsWith("module.")));
    }

    @Test
    void nameRulesApply() throws Exception {
        Path out = dir.resolve("r.safetensors");
        CliRun r = CliRun.of("convert", fixture("sample.pth"), out.toString(), "--rename", "^fc(\\d)=dense$1",
                "--exclude", "*.bias");
        assertEquals(0, r.code(), r.toString());
        List<String> names = st(out).names();
        assertTrue(names.contains("dense1.weight"), names.toString());
        assertFalse(names.stream().anyMatch(n -> n.endsWith(".bias")), names.toString());
    }

    @Test
    void twoNamesMappedToOneIsAnError() {
        CliRun r = CliRun.of("convert", fixture("sample.pth"), dir.resolve("x.safetensors").toString(),
                "--rename", "^.*$=same");
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("would both be named 'same'"), r.err());
    }

    @Test
    void existingOutputNeedsForce() throws Exception {
        Path out = dir.resolve("o.safetensors");
        Files.writeString(out, "keep me");
        CliRun r = CliRun.of("convert", fixture("sample.pth"), out.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertEquals("keep me", Files.readString(out));
        assertEquals(0, CliRun.of("convert", fixture("sample.pth"), out.toString(), "--force", "-q").code());
        assertMatchesManifest(out, "sample.pth", "auto");
    }

    @Test
    void unsupportedDtypeIsRefusedByNameOrSkipped() throws Exception {
        Path out = dir.resolve("d.safetensors");
        CliRun r = CliRun.of("convert", fixture("dtypes.pth"), out.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("complex128"), r.err());
        assertFalse(Files.exists(out));
        assertOnlyOutputs(List.of());
        CliRun skip = CliRun.of("convert", fixture("dtypes.pth"), out.toString(), "--skip-unsupported");
        assertEquals(0, skip.code(), skip.toString());
        assertTrue(skip.err().contains("skipped"), skip.err());
    }

    @Test
    void metaTensorIsRefusedByNameOrSkipped() throws Exception {
        Path out = dir.resolve("m.safetensors");
        CliRun r = CliRun.of("convert", fixture("meta_tensor.pth"), out.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("'weight'") && r.err().contains("meta"), r.err());
        assertEquals(0, CliRun.of("convert", fixture("meta_tensor.pth"), out.toString(), "--skip-unsupported").code());
        assertEquals(List.of("bias"), st(out).names());
    }

    /** torch.load leaves the bytes of untyped storages of a big-endian file unswapped: so do we, and say so. */
    @Test
    void bigEndianUntypedStoragesComeOutAsTorchGivesThemWithAWarning() throws Exception {
        Path out = dir.resolve("be.safetensors");
        CliRun r = CliRun.of("convert", fixture("bigendian_untyped.pth"), out.toString());
        assertEquals(0, r.code(), r.toString());
        assertMatchesManifest(out, "bigendian_untyped.pth", "auto");
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.toString());
        assertTrue(lines.get(1).startsWith("warning: 4 tensors of this big-endian file ('u16', ...) lie in untyped "
                + "storages, whose bytes torch.load does not swap"), r.toString());
        CliRun quiet = CliRun.of("convert", fixture("bigendian_untyped.pth"), out.toString(), "--force", "-q");
        assertEquals("", quiet.err(), quiet.toString());
        Path stripped = dir.resolve("be.pth");
        CliRun strip = CliRun.of("strip", fixture("bigendian_untyped.pth"), stripped.toString());
        assertEquals(0, strip.code(), strip.toString());
        assertTrue(strip.err().lines().skip(1).findFirst().orElse("").startsWith("warning: 4 tensors"), strip.toString());
    }

    @Test
    void convertsToNpzByExtension() throws Exception {
        Path out = dir.resolve("sample.npz");
        CliRun r = CliRun.of("convert", fixture("sample.pth"), out.toString());
        assertEquals(0, r.code(), r.toString());
        try (ZipFile zip = new ZipFile(out.toFile())) {
            int n = 0;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); n++) {
                assertTrue(e.nextElement().getName().endsWith(".npy"));
            }
            assertEquals(Fixtures.manifest("sample.pth", "auto").size(), n);
        }
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, CliRun.of("convert", fixture("sample.pth")).code());
        assertEquals(2, CliRun.of("convert", "--no-such-option", "a", "b").code());
        CliRun ext = CliRun.of("convert", fixture("sample.pth"), dir.resolve("out.xyz").toString());
        assertEquals(2, ext.code(), ext.toString());
        assertTrue(ext.err().contains("known: "), ext.err());
        assertEquals(2, CliRun.of("convert", fixture("sample.pth"), dir.resolve("a.safetensors").toString(),
                "--dtype", "int8").code());
    }

    @Test
    void badInputExitsOneWithOneLine() {
        CliRun missing = CliRun.of("convert", dir.resolve("nope.pth").toString(), dir.resolve("o.npz").toString());
        assertEquals(1, missing.code(), missing.toString());
        assertEquals(1, missing.errLines(), missing.toString());
        CliRun empty = CliRun.of("convert", fixture("sample.pth"), dir.resolve("o.npz").toString(),
                "--select", "nosuchkey");
        assertEquals(1, empty.code(), empty.toString());
        assertTrue(empty.err().contains("nosuchkey"), empty.err());
        assertOnlyOutputs(List.of());
    }

    @Test
    void dangerousFileIsRefusedWithoutTrace() {
        Path out = dir.resolve("evil.safetensors");
        CliRun r = CliRun.of("convert", Fixtures.hostile("os_system_p2.pth").toString(), out.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("os.system") || r.err().contains("posix.system"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void debugPrintsTheTrace() {
        CliRun r = CliRun.of("convert", Fixtures.hostile("truncated_half.pth").toString(),
                dir.resolve("t.safetensors").toString(), "--debug");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.errLines() > 1 && r.err().contains("CheckpointException"), r.err());
    }

    private void assertOnlyOutputs(List<String> expected) {
        try (var files = Files.list(dir)) {
            assertEquals(expected, files.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
