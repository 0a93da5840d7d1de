package org.pthconvert.writers.pth;

import java.security.SecureRandom;
import java.util.Locale;

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

    static SerializationId random() {
        SecureRandom r = new SecureRandom();
        return new SerializationId(digits20(r.nextLong()) + digits20(r.nextLong()));
    }

    private static String digits20(long v) {
        return String.format(Locale.ROOT, "%20s", Long.toUnsignedString(v)).replace(' ', '0');
    }
}
