package org.pthconvert.cli.format;

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
        return Decimals.fixed(v, v >= 100 ? 0 : 1) + " " + units[u];
    }

    /** {@code 12,345}. */
    public static String count(long n) {
        return Decimals.grouped(n);
    }
}
