package org.pthconvert.writers.pth;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The 40 ASCII digits torch writes to {@code .data/serialization_id}: it tells saves apart, nothing
 * reads a meaning from it. Random unless fixed (tests, reproducible builds), so that the same input
 * gives the same bytes.
 */
record SerializationId(String text) {

    SerializationId {
        if (!valid(text)) {
            throw new IllegalArgumentException("a serialization id is 40 decimal digits, got '" + text + "'");
        }
    }

    static boolean valid(String text) {
        return text.length() == 40 && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * Not from SecureRandom: the id only tells saves apart, and seeding SecureRandom costs 40-160 ms
     * of start-up. ThreadLocalRandom is seeded from the clocks; the process id tells apart two saves
     * started in the same instant.
     */
    static SerializationId random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long pid = ProcessHandle.current().pid();
        return new SerializationId(digits20(r.nextLong()) + digits20(r.nextLong() ^ Long.rotateLeft(pid, 40)));
    }

    private static String digits20(long v) {
        String d = Long.toUnsignedString(v);
        return "0".repeat(20 - d.length()) + d;
    }
}
