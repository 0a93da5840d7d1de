package org.pthconvert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads through the small-read window give the file's bytes, and the end of the file where it is. */
class FileByteSourceTest {
    @TempDir
    Path dir;

    /** Reads as a caller does: until full or the end; returns what it got. */
    private static byte[] readAt(ByteSource s, long pos, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        long at = pos;
        while (b.hasRemaining()) {
            int r = s.read(at, b);
            if (r < 0) {
                break;
            }
            at += r;
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] expected(byte[] file, long pos, int n) {
        int from = (int) Math.min(pos, file.length);
        return Arrays.copyOfRange(file, from, (int) Math.min(file.length, pos + n));
    }

    @Test
    void smallReadsNearAndFarAndAtTheEnd() throws Exception {
        int size = 3 * FileByteSource.WINDOW + 123;
        byte[] file = new byte[size];
        new Random(1).nextBytes(file);
        Path p = dir.resolve("f.bin");
        Files.write(p, file);
        Random r = new Random(2);
        try (ByteSource s = ByteSource.open(p)) {
            long pos = 0;
            for (int i = 0; i < 5000; i++) {
                // mostly walking forward in small steps, sometimes a jump, sometimes a large read
                int kind = r.nextInt(10);
                pos = kind == 0 ? r.nextInt(size + 100) : kind == 1 ? Math.max(0, pos - r.nextInt(5000)) : pos + r.nextInt(400);
                int n = kind == 2 ? FileByteSource.SMALL + r.nextInt(10_000) : 1 + r.nextInt(FileByteSource.SMALL);
                assertArrayEquals(expected(file, pos, n), readAt(s, pos, n), "read of " + n + " at " + pos);
                if (pos > size + 50) {
                    pos = 0;
                }
            }
            assertEquals(-1, s.read(size, ByteBuffer.allocate(8)));
            assertEquals(-1, s.read(size + 10, ByteBuffer.allocate(8)));
            assertArrayEquals(expected(file, size - 5, 8), readAt(s, size - 5, 8));
            assertEquals(0, s.read(7, ByteBuffer.allocate(0)));
        }
    }
}
