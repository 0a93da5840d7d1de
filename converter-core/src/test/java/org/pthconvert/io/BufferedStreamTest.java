package org.pthconvert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BufferedStreamTest {

    /** Gives at most a few bytes per call, and sometimes none. */
    private static final class Stingy extends InputStream {
        private final byte[] data;
        private final Random random;
        private int at;

        Stingy(byte[] data, long seed) {
            this.data = data;
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, random.nextInt(40)), data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }

    @Test
    void mixedReadsAndSkipsGiveTheStreamsBytes() throws IOException {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[r.nextInt(3000)];
            r.nextBytes(data);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (InputStream in = new BufferedStream(new Stingy(data, round), 1 + r.nextInt(64))) {
                int at = 0;
                while (true) {
                    int op = r.nextInt(3);
                    if (op == 0) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        got.write(b);
                        expected.write(data[at++]);
                    } else if (op == 1) {
                        byte[] buf = new byte[r.nextInt(200)];
                        int n = in.read(buf, 0, buf.length);
                        if (n < 0) {
                            break;
                        }
                        got.write(buf, 0, n);
                        expected.write(data, at, n);
                        at += n;
                    } else {
                        long k = in.skip(r.nextInt(50));
                        at += (int) k;
                    }
                }
                assertEquals(data.length, at);
                assertEquals(-1, in.read());
            }
            assertArrayEquals(expected.toByteArray(), got.toByteArray());
        }
    }
}
