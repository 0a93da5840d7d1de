package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * torch's pre-1.0 tar format is recognised as Python's {@code tarfile} recognises a header, and
 * every pickle torch.load unpickles from its members is found for the audit.
 */
class TarContainerTest {
    @TempDir
    Path dir;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] header(String checksumField) {
        byte[] h = new byte[512];
        System.arraycopy(ascii("pickle"), 0, h, 0, 6);
        long sum = 256;
        for (int i = 0; i < 512; i++) {
            if (i < 148 || i >= 156) {
                sum += h[i] & 0xff;
            }
        }
        byte[] f = ascii(String.format(checksumField, sum));
        System.arraycopy(f, 0, h, 148, f.length);
        return h;
    }

    /** tarfile's nti reads the field up to a NUL, strips it, and parses it with Python's int(s, 8). */
    @Test
    void headerChecksumsAsTarfileReadsThem() {
        assertTrue(TarContainer.isTarHeader(header("%06o\0 ")));
        assertTrue(TarContainer.isTarHeader(header(" %o ")));
        assertTrue(TarContainer.isTarHeader(header("0o%o")));
        assertFalse(TarContainer.isTarHeader(header("%o9")));
        assertFalse(TarContainer.isTarHeader(new byte[512]), "an all-zero block ends an archive, it starts none");
        assertFalse(TarContainer.isTarHeader(new byte[511]));
        byte[] signed = header("%06o\0 ");
        signed[10] = (byte) 0xff; // counted as 255 unsigned, -1 signed: the field now matches neither
        assertFalse(TarContainer.isTarHeader(signed));
    }

    @Test
    void pythonOctalInts() {
        assertEquals(15, PythonInt.parseOctal("17"));
        assertEquals(15, PythonInt.parseOctal("+17"));
        assertEquals(15, PythonInt.parseOctal("0o17"));
        assertEquals(15, PythonInt.parseOctal("0O_1_7"));
        assertEquals(0, PythonInt.parseOctal("-0"));
        for (String bad : List.of("", "8", "1__7", "_17", "17_", "0o", "-1", "1 7", "0x1")) {
            assertEquals(-1, PythonInt.parseOctal(bad), bad);
        }
    }

    private static byte[] pickle(String body) {
        return ascii("\u0080\u0002" + body + ".");
    }

    /** A torch tar with one storage of two floats and one tensor: every pickle in order, then refused. */
    @Test
    void findsEveryPickleTorchUnpickles() throws Exception {
        ByteArrayOutputStream storages = new ByteArrayOutputStream();
        storages.writeBytes(pickle("K\u0001"));
        storages.writeBytes(pickle("X\u0001\u0000\u0000\u00001X\u0003\u0000\u0000\u0000cpuctorch\nFloatStorage\n\u0087"));
        storages.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(2).putFloat(1).putFloat(2)
                .array());
        storages.writeBytes(pickle("]"));
        ByteArrayOutputStream tensors = new ByteArrayOutputStream();
        tensors.writeBytes(pickle("K\u0001"));
        tensors.writeBytes(pickle("X\u0001\u0000\u0000\u00002X\u0001\u0000\u0000\u00001N\u0087"));
        tensors.writeBytes(ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(0).putLong(2)
                .putLong(1).putLong(0).array());
        byte[] tar = TarFiles.tar(List.of("sys_info", "storages", "tensors", "pickle"),
                List.of(pickle("}"), storages.toByteArray(), tensors.toByteArray(), pickle("}")));
        Path p = dir.resolve("old.tar");
        Files.write(p, tar);
        try (CheckpointContainer c = Containers.open(p)) {
            assertInstanceOf(TarContainer.class, c);
            assertEquals(List.of("storages (count)", "storages (storage 0)", "storages (views)", "tensors (count)",
                    "tensors (tensor 0)", "pickle"), c.pickles().stream().map(PickleStream::record).toList());
            assertEquals(Reason.UNSUPPORTED, c.deferredRefusal().reason());
            assertTrue(c.deferredRefusal().getMessage().contains("old tar checkpoint format"));
        }
    }

    /** Where the walk cannot follow a member, the rest of it and the file's first bytes are audited too. */
    @Test
    void anUnknownStorageTypeLeavesTheRestToTheAudit() throws Exception {
        ByteArrayOutputStream storages = new ByteArrayOutputStream();
        storages.writeBytes(pickle("K\u0001"));
        storages.writeBytes(pickle("X\u0001\u0000\u0000\u00001X\u0003\u0000\u0000\u0000cpucfoo\nBar\n\u0087"));
        storages.writeBytes(ascii("trailing bytes"));
        byte[] tar = TarFiles.tar(List.of("storages"), List.of(storages.toByteArray()));
        Path p = dir.resolve("odd.tar");
        Files.write(p, tar);
        try (CheckpointContainer c = Containers.open(p)) {
            List<String> records = c.pickles().stream().map(PickleStream::record).toList();
            assertEquals(4, records.size(), records.toString());
            assertEquals(List.of("storages (count)", "storages (storage 0)"), records.subList(0, 2));
            assertTrue(records.get(2).startsWith("storages (from byte "), records.toString());
            assertEquals("pickle at byte 0", records.get(3));
        }
    }
}
