package org.pthconvert.writers.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.io.TensorCast;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.testdata.Fixtures.ManifestRow;
import org.pthconvert.writers.ArraySource;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.Fixtures;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.Tensors;
import org.pthconvert.writers.TypeChange;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.ConversionService;

class Hdf5WriterTest {

    @TempDir
    Path dir;

    private final Hdf5Writer writer = new Hdf5Writer();

    private static String sha256(byte[] b) throws Exception {
        return org.pthconvert.testdata.Fixtures.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private ConversionResult convert(String fixture, String select, Path out, ConversionOptions opts) throws Exception {
        Path in = org.pthconvert.testdata.Fixtures.file(fixture);
        return ConversionService.standard().convert(ConversionRequest.of(in, out)
                .withFormat("hdf5").withSelection(select).withOptions(opts));
    }

    @Test
    void everyFixtureConvertsAndJhdfReadsBackTheManifestBytes() throws Exception {
        Map<String, String> widened = new HashMap<>();
        for (var w : org.pthconvert.testdata.Fixtures.widened()) {
            widened.put(w.file() + "\0" + w.name(), w.sha256());
        }
        int checked = 0;
        for (String file : org.pthconvert.testdata.Fixtures.manifestFiles()) {
            for (String select : List.of("auto", "all")) {
                List<ManifestRow> rows = org.pthconvert.testdata.Fixtures.manifest(file, select);
                if (rows.isEmpty()) {
                    continue;
                }
                Path out = dir.resolve(file + "-" + select + ".h5");
                ConversionResult r = convert(file, select, out, ConversionOptions.defaults().withSkipUnsupported(true));
                Set<String> skipped = r.skipped().stream().map(s -> s.name()).collect(Collectors.toSet());
                Map<String, H5Read.Read> got = H5Read.all(out);
                for (ManifestRow row : rows) {
                    String where = file + " " + select + " " + row.name();
                    if (skipped.contains(row.name())) {
                        assertTrue(Dtype.fromTorchName(row.dtype()).map(d -> d.kind() == Dtype.Kind.QUANTIZED)
                                .orElse(true), where + " skipped but HDF5 can hold " + row.dtype());
                        continue;
                    }
                    H5Read.Read d = got.get(row.name());
                    assertNotNull(d, where + " missing");
                    assertArrayEquals(row.shape().stream().mapToLong(Long::longValue).toArray(), d.shape(), where);
                    assertEquals(row.dtype(), d.torchDtype(), where);
                    Dtype dt = Dtype.fromTorchName(row.dtype()).orElseThrow();
                    Hdf5Types.Stored stored = Hdf5Types.storage(dt, false).orElseThrow();
                    if (stored.change() == null) {
                        assertEquals(row.sha256(), sha256(d.bytes()), where);
                        assertEquals(dt == Dtype.BOOL ? "bool" : dt.kind() == Dtype.Kind.COMPLEX
                                ? "complex" + dt.bits() : dt.torchName(), d.dtype(), where);
                    } else {
                        assertEquals("float32", d.dtype(), where);
                        String want = widened.get(file + "\0" + row.name());
                        if (want != null) {
                            assertEquals(want, sha256(d.bytes()), where + " (widened)");
                        }
                    }
                    checked++;
                }
                Map<String, Object> root = H5Read.rootAttributes(out);
                assertEquals(file, root.get("source"));
                assertEquals(select, root.get("selection"));
                assertNotNull(root.get("pthconvert_version"));
            }
        }
        assertTrue(checked > 300, "checked " + checked);
    }

    @Test
    void twoConversionsGiveTheSameBytes() throws Exception {
        for (boolean gzip : new boolean[] {false, true}) {
            ConversionOptions opts = ConversionOptions.defaults()
                    .withWriteOptions(WriteOptions.DEFAULTS.withCompress(gzip));
            Path a = dir.resolve("a" + gzip + ".h5");
            Path b = dir.resolve("b" + gzip + ".h5");
            convert("train_adam.pt", "all", a, opts);
            convert("train_adam.pt", "all", b, opts);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        }
    }

    @Test
    void awkwardNamesRoundTripThroughTheNameAttribute() throws Exception {
        String longSegment = "ß".repeat(200);
        List<String> names = List.of("a.b", "a.b.c", "x/y", "..", "a..b", ".lead", "trail.", "", "ünï.çødé",
                "emoji🔥.bias", "long." + longSegment, "_unplaced", "plain");
        for (boolean flat : new boolean[] {false, true}) {
            Tensors t = new Tensors();
            int seed = 1;
            for (String n : names) {
                t.add(n, Dtype.F32, Shape.of(2, seed), seed++);
            }
            Path out = dir.resolve("names" + flat + ".h5");
            WriteOptions opts = flat ? WriteOptions.DEFAULTS.withExtra(Hdf5Writer.FLAT, "true") : WriteOptions.DEFAULTS;
            Hdf5Session s = (Hdf5Session) t.writeAll(writer, out, opts);
            Map<String, H5Read.Read> got = H5Read.all(out);
            assertEquals(Set.copyOf(names), got.keySet());
            for (String n : names) {
                assertArrayEquals(t.bytes(n), got.get(n).bytes(), n);
            }
            assertEquals(flat ? "/a.b.c" : "/a/b/c", got.get("a.b.c").path());
            assertEquals(flat ? 4 : 8, s.unplaced(), "unplaced with flat=" + flat);
            assertEquals(List.of((flat ? 4 : 8) + " names could not be an HDF5 path; placed under /_unplaced_2"
                    + " and found by the 'name' attribute"), s.notes());
            assertTrue(got.get("x/y").path().startsWith("/_unplaced_2/"));
        }
    }

    @Test
    void bfloat16AndFloat8AreWidenedOrKeptAsRawBits() throws Exception {
        Tensors t = new Tensors()
                .add("bf", Dtype.BF16, Shape.of(256), Fixtures.pattern(Dtype.BF16, Shape.of(256), 5))
                .add("f8", Dtype.F8_E4M3FN, Shape.of(256), Fixtures.allCodes())
                .add("c32", Dtype.C32, Shape.of(3), Fixtures.pattern(Dtype.C32, Shape.of(3), 2));
        Path out = dir.resolve("wide.h5");
        WriteSession s = t.writeAll(writer, out, WriteOptions.DEFAULTS);
        assertEquals(3, s.typeChanges().size());
        Map<String, H5Read.Read> got = H5Read.all(out);
        assertEquals("float32", got.get("bf").dtype());
        assertEquals("bfloat16", got.get("bf").torchDtype());
        assertArrayEquals(cast(t.bytes("bf"), Dtype.BF16, Dtype.F32), got.get("bf").bytes());
        assertArrayEquals(cast(t.bytes("f8"), Dtype.F8_E4M3FN, Dtype.F32), got.get("f8").bytes());
        assertEquals("complex64", got.get("c32").dtype());

        Tensors raw = new Tensors()
                .add("bf", Dtype.BF16, Shape.of(256), Fixtures.pattern(Dtype.BF16, Shape.of(256), 5))
                .add("f8", Dtype.F8_E5M2, Shape.of(256), Fixtures.allCodes());
        Path outRaw = dir.resolve("raw.h5");
        WriteSession r = raw.writeAll(writer, outRaw, WriteOptions.DEFAULTS.withRawBits(true));
        assertTrue(r.typeChanges().stream().allMatch(c -> c.how() == TypeChange.How.RAW_BITS));
        Map<String, H5Read.Read> gotRaw = H5Read.all(outRaw);
        assertEquals("uint16", gotRaw.get("bf").dtype());
        assertEquals("uint8", gotRaw.get("f8").dtype());
        assertArrayEquals(raw.bytes("bf"), gotRaw.get("bf").bytes());
        assertArrayEquals(raw.bytes("f8"), gotRaw.get("f8").bytes());
        assertEquals("float8_e5m2", gotRaw.get("f8").torchDtype());
    }

    private static byte[] cast(byte[] in, Dtype from, Dtype to) throws Exception {
        var src = TensorCast.of(new ArraySource(in), from, to);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        src.forEachChunk(c -> {
            byte[] b = new byte[c.remaining()];
            c.get(b);
            out.writeBytes(b);
        });
        return out.toByteArray();
    }

    @Test
    void dedupeWritesTiedWeightsOnceWithHardLinks() throws Exception {
        Path out = dir.resolve("tied.h5");
        ConversionResult r = convert("tied.pth", "auto", out, ConversionOptions.defaults().withDedupe(true));
        Map<String, H5Read.Read> got = H5Read.all(out);
        Map<String, Object> root = H5Read.rootAttributes(out);
        int links = 0;
        try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(out)) {
            for (ManifestRow row : org.pthconvert.testdata.Fixtures.manifest("tied.pth", "auto")) {
                if (got.containsKey(row.name())) {
                    continue;
                }
                String kept = (String) root.get(row.name());
                assertNotNull(kept, row.name() + " neither written nor recorded");
                long address = f.getDatasetByPath(String.join("/", row.name().split("\\."))).getAddress();
                assertEquals(got.get(kept).address(), address, row.name() + " is not a hard link to " + kept);
                links++;
            }
        }
        assertTrue(links > 0, "tied.pth has tied weights");
        assertEquals(r.tensors(), got.size());
    }

    @Test
    void quantizedAndPackedTensorsAreRefusedByName() {
        TensorSpec q = new TensorSpec("q", Dtype.QINT8, Shape.of(2),
                new Quantization("per_tensor_affine", List.of(0.5), List.of(1L), -1));
        assertTrue(writer.refuse(q, WriteOptions.DEFAULTS).orElseThrow().contains("quantized"));
        assertTrue(writer.refuse(new TensorSpec("p", Dtype.F4_E2M1FN_X2, Shape.of(2)), WriteOptions.DEFAULTS)
                .isPresent());
        assertTrue(writer.refuse(new TensorSpec("c", Dtype.C32, Shape.of(2)), WriteOptions.DEFAULTS.withRawBits(true))
                .isPresent());
        assertTrue(writer.refuse(new TensorSpec("big", Dtype.F32, Shape.of(new long[33])), WriteOptions.DEFAULTS)
                .isPresent());
        assertFalse(writer.refuse(new TensorSpec("ok", Dtype.C128, Shape.of(2)), WriteOptions.DEFAULTS).isPresent());
        Tensors t = new Tensors().add("q", Dtype.QINT8, Shape.of(2), 1);
        assertThrows(CheckpointException.class, () -> t.writeAll(writer, dir.resolve("q.h5"), WriteOptions.DEFAULTS));
    }

    @Test
    void aMetadataKeyThatCannotBeAnAttributeNameIsRefused() throws Exception {
        TensorSpec w = new TensorSpec("w", Dtype.F32, Shape.of(2));
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("m.h5")), WriteOptions.DEFAULTS)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> s.begin(WritePlan.of(List.of(w), Map.of("k".repeat(70_000), "v"))));
            assertTrue(e.getMessage().contains("metadata key"), e.getMessage());
        }
    }

    @Test
    void longMetadataValuesAndUserKeysAreRootAttributes() throws Exception {
        TensorSpec w = new TensorSpec("w", Dtype.F32, Shape.of(2));
        Path out = dir.resolve("meta.h5");
        try (WriteSession s = writer.open(OutputTarget.direct(out), WriteOptions.DEFAULTS.withMetadata("user", "u"))) {
            s.begin(WritePlan.of(List.of(w), Map.of("note", "n".repeat(200_000), "source", "mine")));
            s.write(w, new ArraySource(new byte[8]));
            s.finish();
        }
        Map<String, Object> root = H5Read.rootAttributes(out);
        assertEquals("n".repeat(200_000), root.get("note"));
        assertEquals("mine", root.get("source"));
        assertEquals("u", root.get("user"));
    }
}
