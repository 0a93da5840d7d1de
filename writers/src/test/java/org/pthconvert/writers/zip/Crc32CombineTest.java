package org.pthconvert.writers.zip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;

/** Joined CRCs equal java.util.zip.CRC32 over the joined bytes. */
class Crc32CombineTest {

    private static int crc(byte[] b, int from, int to) {
        CRC32 c = new CRC32();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }

    @Test
    void joinsAnySplit() {
        Random r = new Random(11);
        for (int round = 0; round < 200; round++) {
            byte[] b = new byte[r.nextInt(5000)];
            r.nextBytes(b);
            int cut = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            assertEquals(crc(b, 0, b.length), Crc32Combine.combine(crc(b, 0, cut), crc(b, cut, b.length), b.length - cut),
                    "length " + b.length + " cut at " + cut);
        }
    }

    @Test
    void emptyPartsChangeNothing() {
        byte[] b = "weights".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int c = crc(b, 0, b.length);
        assertEquals(c, Crc32Combine.combine(c, 0, 0));
        assertEquals(c, Crc32Combine.combine(0, c, b.length));
    }

    /** A long second part: 40 MiB of zeros, whose CRC CRC32 computes in one pass. */
    @Test
    void joinsLongParts() {
        byte[] head = {1, 2, 3};
        byte[] zeros = new byte[40 << 20];
        CRC32 whole = new CRC32();
        whole.update(head);
        whole.update(zeros);
        assertEquals((int) whole.getValue(), Crc32Combine.combine(crc(head, 0, 3), crc(zeros, 0, zeros.length), zeros.length));
    }
}
