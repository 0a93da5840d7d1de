package org.pthconvert.writers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Code point order is the byte order of UTF-8, which is how Rust and Python sort. */
class CodePointsTest {
    private static final int[] SAMPLES = {'a', 'b', '.', '0', 0x7F, 0xE9, 0x3B1, 0xD7FF, 0xE000, 0xFB01, 0xFFFD,
        0xFFFF, 0x10000, 0x1F600, 0x10FFFF};

    private static String random(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(5); i > 0; i--) {
            b.appendCodePoint(SAMPLES[r.nextInt(SAMPLES.length)]);
        }
        return b.toString();
    }

    @Test
    void ordersAsUtf8Bytes() {
        Random r = new Random(4);
        for (int i = 0; i < 20_000; i++) {
            String a = random(r);
            String b = random(r);
            int want = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                    b.getBytes(StandardCharsets.UTF_8)));
            assertEquals(want, Integer.signum(CodePoints.compare(a, b)), a + " vs " + b);
        }
    }

    @Test
    void supplementaryAfterPrivateUse() {
        assertTrue(CodePoints.compare("\uD83D\uDE00", "\uE000") > 0);
        assertTrue("\uD83D\uDE00".compareTo("\uE000") < 0, "UTF-16 order, which is not the one wanted");
    }
}
