package org.pthconvert.writers.pth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        if (text.length() != 40) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) { // a loop, not a stream: README, "Start-up"
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Not from SecureRandom: the id only tells saves apart, and seeding SecureRandom costs 40-160 ms
     * of start-up. ThreadLocalRandom is seeded from the clocks; the process id tells apart two saves
     * started in the same instant.
     */
    static SerializationId random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long pid = pid();
        return new SerializationId(digits20(r.nextLong()) + digits20(r.nextLong() ^ Long.rotateLeft(pid, 40)));
    }

    /**
     * This process's id. On Linux from the {@code /proc/self} link: {@link ProcessHandle}'s class
     * set-up links lambdas, and no lambda is linked on the start path (README, "Start-up").
     */
    private static long pid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }

    private static String digits20(long v) {
        String d = Long.toUnsignedString(v);
        return "0".repeat(20 - d.length()) + d;
    }
}
