package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.tensor.StorageKeys;

class ZipContainerTest {
    static final byte[] PICKLE = {(byte) 0x80, 2, '}', 'q', 0, '.'};

    @TempDir
    Path dir;

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static RawZip torchLike(String top, byte[] storage0, byte[] storage1) {
        return new RawZip()
                .add(top + "/data.pkl", PICKLE)
                .add(top + "/.format_version", "1")
                .add(top + "/.storage_alignment", "64")
                .add(top + "/byteorder", "little")
                .add(top + "/data/0", storage0)
                .add(top + "/data/1", storage1)
                .add(top + "/version", "3\n")
                .add(top + "/.data/serialization_id", "1234567890");
    }

    Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    static byte[] readAll(StorageBytes s) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) s.size());
        s.read(0, b);
        return b.array();
    }

    static CheckpointException fails(Path p) {
        return assertThrows(CheckpointException.class, () -> ZipContainer.open(p).close());
    }

    @Test
    void readsTorchLikeArchive() throws Exception {
        byte[] s0 = bytes(1000, 1);
        byte[] s1 = bytes(37, 2);
        Path p = write("sd.pt", torchLike("sd", s0, s1).build().bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            assertEquals(CheckpointContainer.Format.ZIP, z.format());
            assertEquals("sd", z.topFolder());
            assertEquals("sd/data.pkl", z.pickleRecordName());
            assertEquals(ByteOrder.LITTLE_ENDIAN, z.byteOrder());
            assertEquals(List.of("data.pkl", ".format_version", ".storage_alignment", "byteorder", "data/0", "data/1",
                    "version", ".data/serialization_id"), z.recordNames());
            try (InputStream in = z.openPickle()) {
                assertArrayEquals(PICKLE, in.readAllBytes());
            }
            ZipRecord r0 = z.record("data/0").orElseThrow();
            assertEquals(0, r0.misalignment(64));
            assertTrue(r0.stored());
            try (StorageBytes b = z.storage("0", Map.of("0", 4, "1", 1))) {
                assertTrue(b.inPlace());
                assertEquals(1000, b.size());
                assertArrayEquals(s0, readAll(b));
            }
            try (StorageBytes b = z.storage("1", Map.of())) {
                assertArrayEquals(s1, readAll(b));
                Path out = dir.resolve("out.bin");
                try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    b.transferTo(5, 20, ch);
                }
                assertArrayEquals(java.util.Arrays.copyOfRange(s1, 5, 25), Files.readAllBytes(out));
            }
        }
    }

    @Test
    void topFolderComesFromTheEntries() throws Exception {
        Path p = write("whatever.pth", torchLike("archive", bytes(8, 1), bytes(8, 2)).build().bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            assertEquals("archive", z.topFolder());
            assertEquals("archive/data.pkl", z.pickleRecordName());
        }
    }

    @Test
    void readsZipWrittenByJavaUtilZipStoredAndDeflated() throws Exception {
        byte[] s0 = new byte[200_000];
        for (int i = 0; i < s0.length; i++) {
            s0[i] = (byte) (i % 7);
        }
        byte[] s1 = bytes(5000, 3);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream zos = new ZipOutputStream(bos)) {
            putStored(zos, "model/data.pkl", PICKLE);
            zos.putNextEntry(new ZipEntry("model/data/0"));
            zos.write(s0);
            zos.closeEntry();
            putStored(zos, "model/data/1", s1);
            zos.putNextEntry(new ZipEntry("model/code/__torch__/m.py"));
            zos.write("class M(Module):\n  __parameters__ = [\"w\", ]\n".getBytes(StandardCharsets.UTF_8));
            zos.closeEntry();
        }
        Path p = write("model.pt", bos.toByteArray());
        try (ZipContainer z = ZipContainer.open(p)) {
            assertEquals(CheckpointContainer.Format.ZIP, z.format());
            assertFalse(z.record("data/0").orElseThrow().stored());
            try (StorageBytes b = z.storage("0", Map.of())) {
                assertFalse(b.inPlace());
                assertEquals(s0.length, b.size());
                assertArrayEquals(s0, readAll(b));
            }
            try (StorageBytes b = z.storage("1", Map.of())) {
                assertTrue(b.inPlace());
                assertArrayEquals(s1, readAll(b));
            }
            try (InputStream in = z.openRecord("code/__torch__/m.py")) {
                assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("__parameters__"));
            }
            z.verifyCrc("data/0");
            z.verifyCrc("data/1");
        }
    }

    static void putStored(ZipOutputStream zos, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zos.putNextEntry(e);
        zos.write(data);
        zos.closeEntry();
    }

    @Test
    void constantsPklMakesTorchScript() throws Exception {
        byte[] zip = new RawZip().add("m/data/0", bytes(16, 1)).add("m/data.pkl", PICKLE)
                .add("m/constants.pkl", PICKLE)
                .add("m/code/__torch__/m.py", "x".getBytes(StandardCharsets.UTF_8), RawZip.DEFLATED).build().bytes;
        try (ZipContainer z = ZipContainer.open(write("m.pt", zip))) {
            assertEquals(CheckpointContainer.Format.TORCHSCRIPT, z.format());
            assertEquals(List.of("data/0", "data.pkl", "constants.pkl", "code/__torch__/m.py"), z.recordNames());
        }
    }

    @Test
    void byteOrderRecord() throws Exception {
        byte[] big = new RawZip().add("a/data.pkl", PICKLE).add("a/byteorder", "big").build().bytes;
        try (ZipContainer z = ZipContainer.open(write("big.pt", big))) {
            assertEquals(ByteOrder.BIG_ENDIAN, z.byteOrder());
        }
        byte[] none = new RawZip().add("a/data.pkl", PICKLE).build().bytes;
        try (ZipContainer z = ZipContainer.open(write("none.pt", none))) {
            assertEquals(ByteOrder.LITTLE_ENDIAN, z.byteOrder());
        }
        byte[] bad = new RawZip().add("a/data.pkl", PICKLE).add("a/byteorder", "middle").build().bytes;
        CheckpointException e = fails(write("bad.pt", bad));
        assertEquals(Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains("a/byteorder"), e.getMessage());
    }

    @Test
    void readsZip64() throws Exception {
        byte[] s0 = bytes(3000, 5);
        RawZip.Built b = torchLike("z", s0, bytes(10, 6)).zip64(true).build();
        try (ZipContainer z = ZipContainer.open(write("z.pt", b.bytes))) {
            assertEquals(8, z.recordNames().size());
            try (StorageBytes s = z.storage("0", Map.of())) {
                assertArrayEquals(s0, readAll(s));
            }
            assertEquals(b.data.get("z/data/0"), z.record("data/0").orElseThrow().dataOffset());
        }
    }

    @Test
    void readsWithoutDataDescriptorsOrAlignment() throws Exception {
        byte[] s0 = bytes(100, 5);
        byte[] zip = torchLike("q", s0, bytes(3, 1)).dataDescriptor(false).align(0).build().bytes;
        try (ZipContainer z = ZipContainer.open(write("q.pt", zip)); StorageBytes s = z.storage("0", Map.of())) {
            assertArrayEquals(s0, readAll(s));
        }
    }

    @Test
    void decodesCp437NamesWithoutTheUtf8Flag() throws Exception {
        byte[] name = "t/data/\u0081x".getBytes(StandardCharsets.ISO_8859_1);
        byte[] zip = new RawZip().add("t/data.pkl", PICKLE).addRaw(name, 0, new byte[4]).build().bytes;
        try (ZipContainer z = ZipContainer.open(write("t.pt", zip))) {
            assertTrue(z.recordNames().contains("data/\u00fcx"), z.recordNames().toString());
        }
    }

    @Test
    void storagesAreFoundByKeyAsByTheirFoldedNames() throws Exception {
        byte[] zip = new RawZip().add("a/data.pkl", PICKLE).add("a/DATA/0", bytes(4, 1)).add("a/data/01", bytes(4, 2))
                .add("a/data/1", bytes(4, 3)).add("a/data/2/", new byte[0]).build().bytes;
        try (ZipContainer z = ZipContainer.open(write("keys.pt", zip))) {
            try (StorageBytes b = z.storage("0", Map.of())) {
                assertArrayEquals(bytes(4, 1), readAll(b));   // case ignored, as torch's reader ignores it
            }
            try (StorageBytes b = z.storage("01", Map.of())) {
                assertArrayEquals(bytes(4, 2), readAll(b));   // not a canonical decimal: looked up by name
            }
            try (StorageBytes b = z.storage("1", Map.of())) {
                assertArrayEquals(bytes(4, 3), readAll(b));
            }
            for (String missing : List.of("2", "3", "001", "4294967296", "-1", "")) {
                assertThrows(CheckpointException.class, () -> z.storage(missing, Map.of()), missing);
            }
        }
    }

    @Test
    void recordsListedOutOfLocalOrderOpen() throws Exception {
        byte[] zip = torchLike("sd", bytes(40, 1), bytes(8, 2)).centralOrder(7, 6, 5, 4, 3, 2, 1, 0).build().bytes;
        try (ZipContainer z = ZipContainer.open(write("reversed.pt", zip))) {
            assertEquals(List.of(".data/serialization_id", "version", "data/1", "data/0", "byteorder",
                    ".storage_alignment", ".format_version", "data.pkl"), z.recordNames());
            try (StorageBytes b = z.storage("1", Map.of())) {
                assertArrayEquals(bytes(8, 2), readAll(b));
            }
        }
    }

    @Test
    void storageNamesAreTheEntriesOwn() throws Exception {
        // Names of storage records are made again from the key when asked for, unless they differ from
        // what torch writes (here in the top folder's case): then the entry's own is kept.
        byte[] zip = new RawZip().add("a/data.pkl", PICKLE).add("a/data/0", bytes(4, 1)).add("A/data/1", bytes(4, 2))
                .build().bytes;
        try (ZipContainer z = ZipContainer.open(write("names.pt", zip))) {
            assertEquals("a/data/0", z.record("data/0").orElseThrow().fullName());
            assertEquals("A/data/1", z.record("DATA/1").orElseThrow().fullName());
            assertEquals(List.of("data.pkl", "data/0", "data/1"), z.recordNames());
            try (StorageBytes b = z.storage("1", Map.of())) {
                assertTrue(b.toString().contains("A/data/1"), b.toString());
            }
            try (StorageBytes b = z.storage("0", Map.of())) {
                assertTrue(b.toString().contains("a/data/0"), b.toString());
            }
        }
    }

    @Test
    void storagesUnderATopFolderBeyondAsciiAreFoundByName() throws Exception {
        // Storage records are matched on their bytes only under an ASCII top folder; others by name.
        byte[] zip = new RawZip().add("mod\u00e8le/data.pkl", PICKLE).add("mod\u00e8le/data/0", bytes(4, 1))
                .add("MOD\u00e8LE/data/1", bytes(4, 2)).build().bytes;
        try (ZipContainer z = ZipContainer.open(write("top.pt", zip))) {
            assertEquals("mod\u00e8le", z.topFolder());
            try (StorageBytes b = z.storage("0", Map.of())) {
                assertArrayEquals(bytes(4, 1), readAll(b));
                assertTrue(b.toString().contains("mod\u00e8le/data/0"), b.toString());
            }
            try (StorageBytes b = z.storage("1", Map.of())) {
                assertArrayEquals(bytes(4, 2), readAll(b));
                assertTrue(b.toString().contains("MOD\u00e8LE/data/1"), b.toString());
            }
            assertEquals(List.of("data.pkl", "data/0", "data/1"), z.recordNames());
        }
    }

    @Test
    void decimalKeysAreCanonical() {
        assertEquals(0, StorageKeys.decimalKey("0", 0));
        assertEquals(123, StorageKeys.decimalKey("data/123", 5));
        assertEquals(Integer.MAX_VALUE, StorageKeys.decimalKey("2147483647", 0));
        for (String s : List.of("", "01", "00", "2147483648", "99999999999", "1a", "+1", "-1", "\u0661")) {
            assertEquals(-1, StorageKeys.decimalKey(s, 0), s);
        }
    }

    @Test
    void missingStorageRecordNamesIt() throws Exception {
        Path p = write("sd.pt", torchLike("sd", bytes(8, 1), bytes(8, 2)).build().bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> z.storage("7", Map.of()));
            assertEquals("sd/data/7", e.record());
            assertThrows(CheckpointException.class, () -> z.openRecord("nope"));
        }
    }
}
