package org.pthconvert.writers.npz;

import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.WritePlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.Fixtures;
import org.pthconvert.writers.Tensors;
import org.pthconvert.writers.TypeChange;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;

class NpzWriterTest {

    @TempDir
    Path dir;

    private final NpzWriter writer = new NpzWriter();

    /** NPZ in src/test/python/make_fixtures.py; float8 tensors hold every code. */
    static Tensors npz(boolean withComplex32) {
        Tensors t = new Tensors()
                .add("layers.0.weight", Dtype.F32, Shape.of(2, 3), 1)
                .add("emb", Dtype.BF16, Shape.of(4, 2), 3)
                .add("f8", Dtype.F8_E4M3FN, Shape.of(256), Fixtures.allCodes())
                .add("f8b", Dtype.F8_E5M2, Shape.of(16, 16), Fixtures.allCodes())
                .add("f8c", Dtype.F8_E4M3FNUZ, Shape.of(256), Fixtures.allCodes())
                .add("f8d", Dtype.F8_E5M2FNUZ, Shape.of(256), Fixtures.allCodes())
                .add("f8e", Dtype.F8_E8M0FNU, Shape.of(256), Fixtures.allCodes());
        if (withComplex32) {
            t.add("c32", Dtype.C32, Shape.of(2), 5);
        }
        return t.add("scalar", Dtype.F64, Shape.SCALAR, 6)
                .add("empty", Dtype.F32, Shape.of(0, 3), 7)
                .add("flags", Dtype.BOOL, Shape.of(5), 8)
                .add("c128", Dtype.C128, Shape.of(2), 9)
                .add("dir/sub/x", Dtype.F16, Shape.of(3), 10)
                .add("\u00fcn\u00ef \uD83D\uDE00", Dtype.I64, Shape.of(2), 11)
                .add("u16", Dtype.U16, Shape.of(2, 1, 2), 12);
    }

    /** Member name to bytes, in archive order, and checks that hold for every member. */
    private static Map<String, byte[]> members(byte[] zipBytes, boolean ours) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zipBytes)).get()) {
            for (ZipArchiveEntry e : Collections.list(zip.getEntriesInPhysicalOrder())) {
                byte[] b = zip.getInputStream(e).readAllBytes();
                out.put(e.getName(), b);
                if (ours) {
                    assertTrue(e.getGeneralPurposeBit().usesUTF8ForNames(), e.getName());
                    if (e.getMethod() == ZipEntry.STORED) {
                        assertEquals(0, e.getDataOffset() % 64, "member aligned: " + e.getName());
                        int prefix = NpyHeader.ALIGN * ((b.length > 0 ? headerLength(b) : 0) / NpyHeader.ALIGN);
                        assertEquals(0, (e.getDataOffset() + prefix) % 64, "array data aligned: " + e.getName());
                    }
                }
            }
        }
        return out;
    }

    private static int headerLength(byte[] npy) {
        return npy[6] == 1 ? 10 + ((npy[8] & 0xFF) | (npy[9] & 0xFF) << 8) : -1;
    }

    @Test
    void membersAreByteForByteWhatNumpyWrites() throws Exception {
        Path out = dir.resolve("t.npz");
        WriteSession s = npz(true).writeAll(writer, out, WriteOptions.DEFAULTS);
        Map<String, byte[]> ours = members(Files.readAllBytes(out), true);
        Map<String, byte[]> numpy = members(Fixtures.resource("numpy.npz"), false);
        assertEquals(new ArrayList<>(numpy.keySet()), new ArrayList<>(ours.keySet()));
        for (String name : numpy.keySet()) {
            assertArrayEquals(numpy.get(name), ours.get(name), name);
        }
        assertEquals(List.of("emb", "f8", "f8b", "f8c", "f8d", "f8e", "c32"),
                s.typeChanges().stream().map(TypeChange::tensor).toList());
        assertEquals(new TypeChange("emb", Dtype.BF16, Dtype.F32, TypeChange.How.WIDENED), s.typeChanges().get(0));
        assertEquals(new TypeChange("c32", Dtype.C32, Dtype.C64, TypeChange.How.WIDENED), s.typeChanges().get(6));
    }

    @Test
    void rawBitsKeepsThePatterns() throws Exception {
        Path out = dir.resolve("raw.npz");
        WriteSession s = npz(false).writeAll(writer, out, WriteOptions.DEFAULTS.withRawBits(true));
        Map<String, byte[]> ours = members(Files.readAllBytes(out), true);
        Map<String, byte[]> numpy = members(Fixtures.resource("numpy-raw-bits.npz"), false);
        assertEquals(new ArrayList<>(numpy.keySet()), new ArrayList<>(ours.keySet()));
        for (String name : numpy.keySet()) {
            assertArrayEquals(numpy.get(name), ours.get(name), name);
        }
        assertEquals(new TypeChange("emb", Dtype.BF16, Dtype.U16, TypeChange.How.RAW_BITS), s.typeChanges().get(0));
        assertEquals(new TypeChange("f8", Dtype.F8_E4M3FN, Dtype.U8, TypeChange.How.RAW_BITS), s.typeChanges().get(1));
        assertTrue(writer.refuse(new TensorSpec("c", Dtype.C32, Shape.of(1)), WriteOptions.DEFAULTS.withRawBits(true)).isPresent());
    }

    @Test
    void compressedMembersHoldTheSameBytes() throws Exception {
        Path stored = dir.resolve("s.npz");
        Path deflated = dir.resolve("d.npz");
        npz(true).writeAll(writer, stored, WriteOptions.DEFAULTS);
        npz(true).writeAll(writer, deflated, WriteOptions.DEFAULTS.withCompress(true));
        try (ZipFile zip = ZipFile.builder().setPath(deflated).get()) {
            for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
                assertEquals(ZipEntry.DEFLATED, e.getMethod(), e.getName());
            }
        }
        Map<String, byte[]> a = members(Files.readAllBytes(stored), true);
        Map<String, byte[]> b = members(Files.readAllBytes(deflated), true);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), k);
        }
        assertTrue(Files.size(deflated) < Files.size(stored));
    }

    @Test
    void sameInputSameBytes() throws Exception {
        Path one = dir.resolve("1.npz");
        Path two = dir.resolve("2.npz");
        npz(true).writeAll(writer, one, WriteOptions.DEFAULTS);
        npz(true).writeAll(writer, two, WriteOptions.DEFAULTS);
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
    }

    @Test
    void anEmptyArchive() throws Exception {
        Path out = dir.resolve("e.npz");
        new Tensors().writeAll(writer, out, WriteOptions.DEFAULTS);
        assertEquals(0, members(Files.readAllBytes(out), true).size());
    }

    @Test
    void namesThatWouldNotComeBackAreRefused() {
        WriteOptions o = WriteOptions.DEFAULTS;
        for (String bad : new String[] {"/abs", "../up", "a/../b", "a/./b", "./x", "win\\dows", "nul\0x", "C:x",
                "lone\uD800", "\uDC00"}) {
            assertTrue(writer.refuse(new TensorSpec(bad, Dtype.F32, Shape.of(1)), o).isPresent(), bad);
        }
        for (String ok : new String[] {"a/b.c", "layers.0.weight", "", ".", "..", "...", "x.npy", "a//b", "\u00fc\uD83D\uDE00",
                "name with spaces", "tab\there"}) {
            assertTrue(writer.refuse(new TensorSpec(ok, Dtype.F32, Shape.of(1)), o).isEmpty(), ok);
        }
    }

    @Test
    void namesNpLoadWouldConfuseAreRefusedTogether() throws Exception {
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("c.npz")), WriteOptions.DEFAULTS)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> s.begin(WritePlan.of(List.of(
                    new TensorSpec("x", Dtype.F32, Shape.of(1)), new TensorSpec("x.npy", Dtype.F32, Shape.of(1))), Map.of())));
            assertEquals(CheckpointException.Reason.UNSUPPORTED, e.reason());
            assertTrue(e.getMessage().startsWith("tensor 'x.npy': np.load would confuse it with tensor 'x'"), e.getMessage());
        }
    }

    @Test
    void refusesWhatNumpyCannotHold() throws Exception {
        WriteOptions o = WriteOptions.DEFAULTS;
        assertTrue(writer.refuse(new TensorSpec("q", Dtype.QUINT8, Shape.of(1)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("q", Dtype.I8, Shape.of(1),
                new Quantization("per_tensor_affine", List.of(0.5), List.of(1L), -1)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("p", Dtype.F4_E2M1FN_X2, Shape.of(1)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("z", Dtype.C128, Shape.of(1)), o).isEmpty());
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("q.npz")), o)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> s.begin(WritePlan.of(List.of(new TensorSpec("../evil", Dtype.F32, Shape.of(1))), Map.of())));
            assertTrue(e.getMessage().contains("'..'"), e.getMessage());
        }
    }
}
