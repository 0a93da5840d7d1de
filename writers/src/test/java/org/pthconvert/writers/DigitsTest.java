package org.pthconvert.writers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class DigitsTest {
    @Test
    void countsAndWritesAsToStringDoes() {
        for (long v : new long[] {0, 1, 9, 10, 99, 100, 12345, 99999, 100000, Integer.MAX_VALUE,
                Integer.MAX_VALUE + 1L, 9_999_999_999L, Long.MAX_VALUE}) {
            assertEquals(Long.toString(v).length(), Digits.count(v), Long.toString(v));
            if (v <= Integer.MAX_VALUE) {
                int n = (int) v;
                assertEquals(Integer.toString(n).length(), Digits.count(n));
                byte[] out = new byte[Digits.count(n) + 2];
                Arrays.fill(out, (byte) '#');
                Digits.write(out, 1, n, Digits.count(n));
                assertEquals("#" + n + "#", new String(out, StandardCharsets.US_ASCII));
            }
        }
        byte[] padded = new byte[5];
        Digits.write(padded, 0, 42, 5);
        assertEquals("00042", new String(padded, StandardCharsets.US_ASCII));
    }
}
