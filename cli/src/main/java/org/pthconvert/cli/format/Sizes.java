package org.pthconvert.cli.format;

import java.util.Locale;

/** Human-readable byte counts and size arguments ({@code 5GB}, {@code 500MiB}). */
public final class Sizes {
    private Sizes() {
    }

    /** {@code 1.2 MiB}, {@code 800 B}. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    /** {@code 12,345}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
