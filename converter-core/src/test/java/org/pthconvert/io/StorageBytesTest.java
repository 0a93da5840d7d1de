package org.pthconvert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

class StorageBytesTest {
    @TempDir
    Path dir;

    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(6, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            bos.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return bos.toByteArray();
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    /** A file with 100 junk bytes, then {@code payload}, then 50 junk bytes. */
    Path fileWith(byte[] payload) throws Exception {
        Path p = dir.resolve("f.bin");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        bos.writeBytes(new byte[100]);
        bos.writeBytes(payload);
        bos.writeBytes(new byte[50]);
        Files.write(p, bos.toByteArray());
        return p;
    }

    @Test
    void inPlaceReadsAndTransfers() throws Exception {
        byte[] data = ViewSourceTest.random(300_000, 1);
        Path p = fileWith(data);
        Path out = dir.resolve("out.bin");
        try (ByteSource ch = ByteSource.open(p); FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            InPlaceStorage s = new InPlaceStorage(ch, 100, data.length, p, "a/data/0");
            assertTrue(s.inPlace());
            ByteBuffer b = ByteBuffer.allocate(1000);
            s.read(12345, b);
            assertArrayEquals(Arrays.copyOfRange(data, 12345, 13345), b.array());
            s.transferTo(0, data.length, o);
            s.transferTo(7, 3, o);
        }
        byte[] got = Files.readAllBytes(out);
        assertArrayEquals(data, Arrays.copyOf(got, data.length));
        assertArrayEquals(Arrays.copyOfRange(data, 7, 10), Arrays.copyOfRange(got, data.length, data.length + 3));
    }

    @Test
    void inPlaceRefusesReadsPastItsEnd() throws Exception {
        Path p = fileWith(new byte[64]);
        try (ByteSource ch = ByteSource.open(p)) {
            InPlaceStorage s = new InPlaceStorage(ch, 100, 64, p, "a/data/0");
            CheckpointException e = assertThrows(CheckpointException.class, () -> s.read(60, ByteBuffer.allocate(8)));
            assertEquals("a/data/0", e.record());
            assertEquals(60, e.offset());
            assertThrows(CheckpointException.class, () -> s.read(-1, ByteBuffer.allocate(1)));
            InPlaceStorage beyond = new InPlaceStorage(ch, 200, 64, p, "a/data/1");
            CheckpointException t = assertThrows(CheckpointException.class,
                    () -> beyond.read(0, ByteBuffer.allocate(64)));
            assertTrue(t.getMessage().contains("truncated"), t.getMessage());
            Path out = dir.resolve("o");
            try (FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                assertThrows(CheckpointException.class, () -> beyond.transferTo(0, 64, o));
            }
        }
    }

    @Test
    void deflatedReadsForwardWithoutSpilling() throws Exception {
        byte[] data = new byte[500_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 / 7);
        }
        byte[] z = deflate(data);
        Path p = fileWith(z);
        try (ByteSource ch = ByteSource.open(p);
             DeflatedStorage s = new DeflatedStorage(ch, 100, z.length, data.length, crc(data), p, "a/data/0")) {
            assertFalse(s.inPlace());
            ByteBuffer a = ByteBuffer.allocate(1000);
            s.read(10, a);
            ByteBuffer b = ByteBuffer.allocateDirect(5000);
            s.read(200_000, b);
            assertArrayEquals(Arrays.copyOfRange(data, 10, 1010), a.array());
            b.flip();
            byte[] bb = new byte[5000];
            b.get(bb);
            assertArrayEquals(Arrays.copyOfRange(data, 200_000, 205_000), bb);
            assertFalse(s.spilled());
        }
    }

    @Test
    void deflatedBackwardReadSpillsOnceAndLeavesNoFile() throws Exception {
        byte[] data = ViewSourceTest.random(300_000, 3);
        byte[] z = deflate(data);
        Path p = fileWith(z);
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = countSpills(tmp);
        try (ByteSource ch = ByteSource.open(p)) {
            DeflatedStorage s = new DeflatedStorage(ch, 100, z.length, data.length, crc(data), p, "a/data/0");
            Random rnd = new Random(4);
            s.read(250_000, ByteBuffer.allocate(10));
            for (int i = 0; i < 200; i++) {
                int at = rnd.nextInt(data.length - 100);
                ByteBuffer b = ByteBuffer.allocate(1 + rnd.nextInt(99));
                s.read(at, b);
                assertArrayEquals(Arrays.copyOfRange(data, at, at + b.capacity()), b.array());
            }
            assertTrue(s.spilled());
            // on POSIX systems DELETE_ON_CLOSE unlinks the file at once: nothing can be left behind
            assertTrue(countSpills(tmp) <= before + 1);
            Path out = dir.resolve("out");
            try (FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                s.transferTo(0, data.length, o);
            }
            assertArrayEquals(data, Files.readAllBytes(out));
            s.close();
            assertEquals(before, countSpills(tmp));
            assertThrows(java.io.IOException.class, () -> s.read(0, ByteBuffer.allocate(1)));
        }
    }

    private static long countSpills(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(f -> f.getFileName().toString().startsWith("pthconvert-")
                    && f.getFileName().toString().endsWith(".inflated")).count();
        }
    }

    @Test
    void transposedViewOverDeflatedStorage() throws Exception {
        byte[] data = ViewSourceTest.random(4 * 300 * 200, 5);
        byte[] z = deflate(data);
        Path p = fileWith(z);
        try (ByteSource ch = ByteSource.open(p);
             DeflatedStorage s = new DeflatedStorage(ch, 100, z.length, data.length, crc(data), p, "a/data/0")) {
            var v = ViewSourceTest.view(Dtype.F32, 0, new long[] {200, 300}, new long[] {1, 200});
            ViewSource src = new ViewSource(s, v, ByteOrder.LITTLE_ENDIAN);
            assertArrayEquals(ViewSourceTest.reference(data, v, false), ViewSourceTest.viaChunks(src));
        }
    }

    @Test
    void boundedInflaterStreamChecksSizeAndCrc() throws Exception {
        byte[] data = ViewSourceTest.random(10_000, 6);
        byte[] z = deflate(data);
        Path p = fileWith(z);
        try (ByteSource ch = ByteSource.open(p)) {
            try (InputStream in = new BoundedInflaterStream(
                    new ChannelRangeStream(ch, 100, z.length, p, "r", ChannelRangeStream.NO_CRC), data.length, crc(data),
                    p, "r")) {
                assertArrayEquals(data, in.readAllBytes());
                assertEquals(-1, in.read());
            }
            try (InputStream in = new BoundedInflaterStream(
                    new ChannelRangeStream(ch, 100, z.length, p, "r", ChannelRangeStream.NO_CRC), data.length - 1,
                    crc(data), p, "r")) {
                CheckpointIOException e = assertThrows(CheckpointIOException.class, in::readAllBytes);
                assertEquals(Reason.INVALID, e.problem().reason());
                assertTrue(e.getMessage().contains("inflates to more than"), e.getMessage());
            }
            try (InputStream in = new BoundedInflaterStream(
                    new ChannelRangeStream(ch, 100, z.length / 2, p, "r", ChannelRangeStream.NO_CRC), data.length,
                    crc(data), p, "r")) {
                CheckpointIOException e = assertThrows(CheckpointIOException.class, in::readAllBytes);
                assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            }
        }
    }

    @Test
    void emptyDeflatedRecord() throws Exception {
        byte[] z = deflate(new byte[0]);
        Path p = fileWith(z);
        try (ByteSource ch = ByteSource.open(p);
             DeflatedStorage s = new DeflatedStorage(ch, 100, z.length, 0, crc(new byte[0]), p, "a/data/0")) {
            s.read(0, ByteBuffer.allocate(0));
            assertEquals(0, s.size());
        }
    }

    @Test
    void channelRangeStreamChecksCrcAtTheEnd() throws Exception {
        byte[] data = ViewSourceTest.random(1000, 7);
        Path p = fileWith(data);
        try (ByteSource ch = ByteSource.open(p)) {
            try (InputStream in = new ChannelRangeStream(ch, 100, 1000, p, "r", crc(data))) {
                assertArrayEquals(data, in.readAllBytes());
            }
            try (InputStream in = new ChannelRangeStream(ch, 100, 1000, p, "r", crc(data) ^ 1)) {
                assertThrows(CheckpointIOException.class, in::readAllBytes);
            }
            try (InputStream in = new ChannelRangeStream(ch, 1000, 500, p, "r", ChannelRangeStream.NO_CRC)) {
                CheckpointIOException e = assertThrows(CheckpointIOException.class, in::readAllBytes);
                assertTrue(e.getMessage().contains("truncated"));
            }
        }
    }
}
