package org.pthconvert.writers.npz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.pthconvert.tensor.Shape;
import org.pthconvert.writers.Fixtures;

class NpyHeaderTest {

    @Test
    void matchesNumpysHeaderWriter() {
        String tsv = new String(Fixtures.resource("npy-headers.tsv"), StandardCharsets.US_ASCII);
        int cases = 0;
        for (String line : tsv.split("\n")) {
            String[] f = line.split("\t", -1);
            long[] dims = f[1].isEmpty() ? new long[0] : Arrays.stream(f[1].split(",")).mapToLong(Long::parseLong).toArray();
            assertEquals(f[2], HexFormat.of().formatHex(NpyHeader.encode(f[0], Shape.of(dims))), line);
            cases++;
        }
        assertEquals(8, cases);
    }

    @Test
    void exactText() {
        String h = new String(NpyHeader.encode("<f4", Shape.of(3, 4)), StandardCharsets.ISO_8859_1);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
        assertEquals("\u0093NUMPY\u0001\u0000v\u0000" + dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n", h);
        assertEquals(128, h.length());
    }

    @Test
    void version2OnlyPastSixtyFourKilobytes() {
        long[] dims = new long[25_000];
        Arrays.fill(dims, 1);
        byte[] h = NpyHeader.encode("<f8", Shape.of(dims));
        assertEquals(2, h[6]);
        assertEquals(0, h.length % 64);
        assertEquals(h.length - 12, ByteBuffer.wrap(h, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals('\n', h[h.length - 1]);
        assertEquals(1, NpyHeader.encode("<f8", Shape.of(Arrays.copyOf(dims, 64)))[6]);
    }
}
