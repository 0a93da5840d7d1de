package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;

/**
 * Big-endian files as torch.load reads them: it swaps each storage by the dtype of the storage's
 * pickled class, so an UntypedStorage (torch.save's way for uint16/32/64) is not swapped. Every
 * expected byte string below is what torch 2.13's {@code torch.load(weights_only=True)} gave for the
 * same pickle and record (made with Python's pickler and a hand-made zip). The fixture
 * {@code bigendian_untyped.pth}, made by real torch, is checked against the manifest elsewhere.
 */
class BigEndianStoragesTest {
    /** The one storage record of every case: bytes 0 to 15. */
    private static final byte[] RECORD = new byte[16];

    static {
        for (int i = 0; i < RECORD.length; i++) {
            RECORD[i] = (byte) i;
        }
    }

    @TempDir
    Path dir;

    @Test
    void anUntypedStorageIsNotSwapped() throws Exception {
        byte[] pickle = new TorchPickle().beginDict().str("a")
                .tensorV3("UntypedStorage", "0", 16, 1, new long[] {2, 2}, new long[] {1, 3}, "uint16")
                .endDict().stop();
        try (Checkpoint c = open("untyped.pth", pickle, "big")) {
            assertArrayEquals(bytes(2, 3, 8, 9, 4, 5, 10, 11), only(c));
            assertEquals(1, c.warnings().size(), c.warnings().toString());
            String w = c.warnings().get(0);
            assertTrue(w.contains("1 tensor of this big-endian file ('a') lies in untyped storages")
                    && w.contains("torch.load does not swap"), w);
        }
        try (Checkpoint c = open("untyped_le.pth", pickle, "little")) {
            assertArrayEquals(bytes(2, 3, 8, 9, 4, 5, 10, 11), only(c));
            assertEquals(List.of(), c.warnings());
        }
    }

    @Test
    void aFloatViewOfAnUntypedStorageIsNotSwappedEither() throws Exception {
        byte[] pickle = new TorchPickle().beginDict().str("a")
                .tensorV3("UntypedStorage", "0", 16, 1, new long[] {3}, new long[] {1}, "float32").endDict().stop();
        try (Checkpoint c = open("untyped_f32.pth", pickle, "big")) {
            assertArrayEquals(bytes(4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), only(c));
        }
    }

    @Test
    void typedStoragesSwapByTheirOwnDtype() throws Exception {
        byte[] same = new TorchPickle().beginDict().str("a")
                .tensorV3("FloatStorage", "0", 4, 1, new long[] {3}, new long[] {1}, "float32").endDict().stop();
        try (Checkpoint c = open("typed_same.pth", same, "big")) {
            assertArrayEquals(bytes(7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12), only(c));
            assertEquals(List.of(), c.warnings());
        }
        byte[] complex = new TorchPickle().beginDict().str("a")
                .tensor("ComplexFloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).endDict().stop();
        try (Checkpoint c = open("complex.pth", complex, "big")) {
            assertArrayEquals(bytes(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12), only(c));
        }
    }

    /**
     * An int16 view of a FloatStorage: torch swaps the storage in groups of 4, then reads 2-byte
     * elements across those groups (torch gives 1 0 7 6 5 4). Refused by name rather than rebuilt.
     */
    @Test
    void aViewThatSwapsByAnotherUnitThanItsStorageIsRefusedByName() throws Exception {
        byte[] pickle = new TorchPickle().beginDict().str("a")
                .tensorV3("FloatStorage", "0", 4, 1, new long[] {3}, new long[] {1}, "int16").endDict().stop();
        try (Checkpoint c = open("typed_other.pth", pickle, "big")) {
            assertEquals(List.of(), c.tensors());
            assertEquals(1, c.unreadable().size());
            assertEquals("a", c.unreadable().get(0).name());
            assertTrue(c.unreadable().get(0).reason().contains("int16 view of a big-endian float32 storage"),
                    c.unreadable().get(0).reason());
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> WeightSelector.select(c, new Selection.All(), "x"));
            assertTrue(e.getMessage().contains("1 tensor-like value without data; 'a': a int16 view of a big-endian"),
                    e.getMessage());
        }
        try (Checkpoint c = open("typed_other_le.pth", pickle, "little")) {
            assertArrayEquals(bytes(2, 3, 4, 5, 6, 7), only(c));   // little-endian: nothing to swap
        }
    }

    @Test
    void aStorageDeclaredWithTwoTypesIsRefusedNamingBoth() {
        byte[] pickle = new TorchPickle().beginDict()
                .str("a").tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                .str("b").tensor("IntStorage", "0", 4, 0, new long[] {2}, new long[] {1})
                .endDict().stop();
        CheckpointException e = assertThrows(CheckpointException.class, () -> open("twice.pth", pickle, "little"));
        assertTrue(e.getMessage().contains("declared twice with different sizes or types (float32, 16 bytes, then "
                + "int32, 16 bytes)"), e.getMessage());
    }

    private Checkpoint open(String name, byte[] pickle, String order) throws CheckpointException {
        Path file = dir.resolve(name);
        TorchPickle.zip(file, pickle, Map.of("0", RECORD), false, order);
        return Checkpoint.open(file);
    }

    private static byte[] only(Checkpoint c) throws Exception {
        assertEquals(1, c.tensors().size(), c.tensors().toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.source(c.tensors().get(0).view()).forEachChunk(chunk -> {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            out.write(b, 0, b.length);
        });
        return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
