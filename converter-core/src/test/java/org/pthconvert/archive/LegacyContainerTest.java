package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.model.Checkpoint;

class LegacyContainerTest {
    static final Map<String, Integer> WIDTHS = Map.of("140001", 4, "140002", 8);

    @TempDir
    Path dir;

    final byte[] floats = ZipContainerTest.bytes(24, 1);
    final byte[] longs = ZipContainerTest.bytes(16, 2);
    final byte[] main = LegacyFiles.stateDict("140001", "140002");

    byte[] legacy(byte[] mainPickle, byte[] keys, byte[]... tail) {
        byte[] head = LegacyFiles.concat(LegacyFiles.magic(), LegacyFiles.protocol(1001), LegacyFiles.sysInfo(true),
                mainPickle, keys);
        return LegacyFiles.concat(head, LegacyFiles.concat(tail));
    }

    byte[] good() {
        return legacy(main, LegacyFiles.keyList("140001", "140002"), LegacyFiles.storageData(6, floats),
                LegacyFiles.storageData(2, longs));
    }

    Path write(byte[] content) throws Exception {
        Path p = Files.createTempFile(dir, "legacy", ".pth");
        Files.write(p, content);
        return p;
    }

    static byte[] readAll(StorageBytes s) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) s.size());
        s.read(0, b);
        return b.array();
    }

    /**
     * A uint16 tensor as torch 2.13's legacy torch.save writes it: UntypedStorage (numel in bytes) and
     * {@code _rebuild_tensor_v3}. Its torch.load fails on such a file; we read it, and say that torch will not.
     */
    @Test
    void anUntypedStorageIsReadWithAWarningThatTorchCannot() throws Exception {
        LegacyFiles.P p = new LegacyFiles.P().global("collections", "OrderedDict").emptyTuple().reduce().mark();
        p.str("u").global("torch._utils", "_rebuild_tensor_v3").mark();
        LegacyFiles.storage(p, "UntypedStorage", "140009", 4).integer(0).mark().integer(2).tuple()
                .mark().integer(1).tuple().bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce().global("torch", "uint16").tuple().reduce();
        byte[] data = {1, 0, 2, 0};
        Path file = write(legacy(p.setitems().stop(), LegacyFiles.keyList("140009"), LegacyFiles.storageData(4, data)));
        try (Checkpoint c = Checkpoint.open(file)) {
            assertEquals(1, c.tensors().size());
            assertEquals("uint16", c.tensors().get(0).view().dtype().torchName());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.source(c.tensors().get(0).view()).forEachChunk(chunk -> {
                byte[] b = new byte[chunk.remaining()];
                chunk.get(b);
                out.write(b, 0, b.length);
            });
            assertArrayEquals(data, out.toByteArray());
            assertEquals(1, c.warnings().size(), c.warnings().toString());
            assertTrue(c.warnings().get(0).startsWith("torch.load cannot read this legacy file back: storage '140009' "
                    + "is an UntypedStorage"), c.warnings().get(0));
        }
        try (Checkpoint c = Checkpoint.open(write(good()))) {
            assertEquals(List.of(), c.warnings());
        }
    }

    @Test
    void readsStoragesAfterTheKeyList() throws Exception {
        Path p = write(good());
        try (CheckpointContainer c = Containers.open(p)) {
            LegacyContainer l = (LegacyContainer) c;
            assertEquals(CheckpointContainer.Format.LEGACY, l.format());
            assertEquals(ByteOrder.LITTLE_ENDIAN, l.byteOrder());
            assertTrue(l.writerLittleEndian());
            assertEquals(List.of("140001", "140002"), l.storageKeys());
            assertEquals(List.of("data/140001", "data/140002"), l.recordNames());
            try (InputStream in = l.openPickle()) {
                assertArrayEquals(main, in.readAllBytes());
            }
            long mainAt = LegacyFiles.magic().length + LegacyFiles.protocol(1001).length
                    + LegacyFiles.sysInfo(true).length;
            assertEquals(mainAt, l.pickleOffset());
            try (StorageBytes s = l.storage("140001", WIDTHS)) {
                assertTrue(s.inPlace());
                assertEquals(24, s.size());
                assertArrayEquals(floats, readAll(s));
            }
            try (StorageBytes s = l.storage("140002", WIDTHS)) {
                assertArrayEquals(longs, readAll(s));
            }
            assertEquals(List.of(), l.warnings());
            assertThrows(CheckpointException.class, () -> l.openRecord("data.pkl"));
        }
    }

    @Test
    void bigEndianWriterStillMeansLittleEndianData() throws Exception {
        byte[] head = LegacyFiles.concat(LegacyFiles.magic(), LegacyFiles.protocol(1001), LegacyFiles.sysInfo(false),
                main, LegacyFiles.keyList("140001", "140002"), LegacyFiles.storageData(6, floats),
                LegacyFiles.storageData(2, longs));
        try (LegacyContainer l = LegacyContainer.open(write(head))) {
            assertFalse(l.writerLittleEndian());
            assertEquals(ByteOrder.LITTLE_ENDIAN, l.byteOrder());
        }
    }

    @Test
    void trailingBytesAreAWarning() throws Exception {
        byte[] f = LegacyFiles.concat(good(), new byte[5]);
        try (LegacyContainer l = LegacyContainer.open(write(f))) {
            l.storage("140001", WIDTHS).close();
            assertEquals(1, l.warnings().size());
            assertTrue(l.warnings().get(0).startsWith("5 bytes after the last storage"), l.warnings().toString());
        }
    }

    @Test
    void truncatedStorageData() throws Exception {
        byte[] g = good();
        try (LegacyContainer l = LegacyContainer.open(write(Arrays.copyOf(g, g.length - 3)))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> l.storage("140001", WIDTHS));
            assertEquals(Reason.INVALID, e.reason());
            assertEquals("data/140002", e.record());
            assertTrue(e.getMessage().contains("runs past the end of the file"), e.getMessage());
        }
        try (LegacyContainer l = LegacyContainer.open(write(Arrays.copyOf(g, g.length - 16 - 4)))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> l.storage("140001", WIDTHS));
            assertTrue(e.getMessage().contains("header of storage '140002'"), e.getMessage());
        }
    }

    @Test
    void hugeElementCountOverflows() throws Exception {
        byte[] f = legacy(main, LegacyFiles.keyList("140001", "140002"), LegacyFiles.storageData(Long.MAX_VALUE / 2,
                floats));
        try (LegacyContainer l = LegacyContainer.open(write(f))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> l.storage("140001", WIDTHS));
            assertEquals(Reason.INVALID, e.reason());
        }
    }

    @Test
    void keyListMustBeAListOfStrings() throws Exception {
        byte[] notList = new LegacyFiles.P().integer(7).stop();
        try (LegacyContainer l = LegacyContainer.open(write(legacy(main, notList)))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> l.storage("140001", WIDTHS));
            assertTrue(e.getMessage().contains("not a list"), e.getMessage());
            assertEquals(List.of(), l.recordNames());
        }
        byte[] ints = new LegacyFiles.P().emptyList().mark().integer(1).appends().stop();
        try (LegacyContainer l = LegacyContainer.open(write(legacy(main, ints)))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> l.storage("140001", WIDTHS));
            assertTrue(e.getMessage().contains("not a str"), e.getMessage());
        }
    }

    @Test
    void keysTheCallerDoesNotKnowOrTheFileLacks() throws Exception {
        try (LegacyContainer l = LegacyContainer.open(write(good()))) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> l.storage("140001", Map.of("140001", 4)));
            assertTrue(e.getMessage().contains("never uses"), e.getMessage());
            CheckpointException m = assertThrows(CheckpointException.class,
                    () -> l.storage("999", Map.of("140001", 4, "140002", 8, "999", 4)));
            assertTrue(m.getMessage().contains("does not contain"), m.getMessage());
        }
    }

    @Test
    void unsupportedProtocolVersion() throws Exception {
        byte[] f = LegacyFiles.concat(LegacyFiles.magic(), LegacyFiles.protocol(1000), LegacyFiles.sysInfo(true), main);
        CheckpointException e = assertThrows(CheckpointException.class, () -> LegacyContainer.open(write(f)));
        assertEquals(Reason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("1000"));
    }

    @Test
    void truncatedHeaderPickles() throws Exception {
        byte[] f = Arrays.copyOf(LegacyFiles.concat(LegacyFiles.magic(), LegacyFiles.protocol(1001)), 18);
        CheckpointException e = Refusals.of(write(f));
        assertEquals(Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains("protocol pickle"), e.getMessage());
    }

    @Test
    void skimErrorsWaitForTheStorageCall() throws Exception {
        byte[] cut = Arrays.copyOf(main, main.length / 2);
        Path p = write(LegacyFiles.concat(LegacyFiles.magic(), LegacyFiles.protocol(1001), LegacyFiles.sysInfo(true),
                cut));
        try (LegacyContainer l = LegacyContainer.open(p)) {
            try (InputStream in = l.openPickle()) {
                assertArrayEquals(cut, in.readAllBytes());
            }
            CheckpointException e = assertThrows(CheckpointException.class, () -> l.storage("140001", WIDTHS));
            assertEquals(LegacyContainer.MAIN, e.record());
            assertEquals(p, e.file());
        }
    }

    /** A whole-model pickle that calls os.system: skimming is inert, so opening works (the real read refuses). */
    @Test
    void skimmingWholeModelAndHostilePicklesRunsNothing() throws Exception {
        LegacyFiles.P p = new LegacyFiles.P().global("__main__", "Net").emptyTuple().newobj().emptyDict().mark()
                .str("_modules").global("collections", "OrderedDict").emptyTuple().reduce()
                .str("hook").global("os", "system").mark().str("echo hi").tuple().reduce()
                .str("mod").mark().str("module").global("__main__", "Net").str("net.py").str("class Net: pass")
                .tuple().binpersid()
                .str("w");
        LegacyFiles.storage(p, "FloatStorage", "140001", 6);
        byte[] model = p.setitems().build().stop();
        byte[] f = legacy(model, LegacyFiles.keyList("140001"), LegacyFiles.storageData(6, floats));
        try (LegacyContainer l = LegacyContainer.open(write(f))) {
            assertEquals(List.of("140001"), l.storageKeys());
            try (StorageBytes s = l.storage("140001", Map.of("140001", 4))) {
                assertArrayEquals(floats, readAll(s));
            }
        }
    }

    /**
     * 100,000 storages, as torch.save(..., _use_new_zipfile_serialization=False) of 100,000 tensors
     * writes them: locating them takes linear time (it once compared every key on every lookup, so
     * 30,000 tensors took half a minute).
     */
    @Test
    void manyStoragesOpenInLinearTime() throws Exception {
        int n = 100_000;
        LegacyFiles.P p = new LegacyFiles.P().emptyDict().mark();
        String[] keys = new String[n];
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            keys[i] = Integer.toString(1_000_000 + i);
            p.str("t" + i).global("torch._utils", "_rebuild_tensor_v2").mark();
            LegacyFiles.storage(p, "FloatStorage", keys[i], 1).integer(0).mark().integer(1).tuple()
                    .mark().integer(1).tuple().bool(false)
                    .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
            data.writeBytes(LegacyFiles.storageData(1, new byte[4]));
        }
        Path f = dir.resolve("many.pt");
        Files.write(f, LegacyFiles.concat(LegacyFiles.magic(), LegacyFiles.protocol(1001), LegacyFiles.sysInfo(true),
                p.setitems().stop(), LegacyFiles.keyList(keys), data.toByteArray()));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () -> {
            try (org.pthconvert.model.Checkpoint ckpt = org.pthconvert.model.Checkpoint.open(f)) {
                assertEquals(n, ckpt.tensors().size());
            }
        });
    }
}
