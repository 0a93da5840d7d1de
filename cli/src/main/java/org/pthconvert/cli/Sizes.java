package org.pthconvert.cli;

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

    /**
     * Parses {@code 5GB} (decimal, as Hugging Face means it), {@code 5GiB} (binary), {@code 100MB},
     * {@code 1000} (bytes).
     */
    public static long parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("size '" + text + "' does not start with a number");
        }
        double n = Double.parseDouble(t.substring(0, i));
        long mult = switch (t.substring(i).trim()) {
            case "", "B" -> 1L;
            case "K", "KB" -> 1_000L;
            case "M", "MB" -> 1_000_000L;
            case "G", "GB" -> 1_000_000_000L;
            case "T", "TB" -> 1_000_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            default -> throw new IllegalArgumentException("size '" + text + "': unknown unit (use B, KB, MB, GB, KiB, MiB, GiB)");
        };
        double bytes = n * mult;
        if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("size '" + text + "' is out of range");
        }
        return (long) bytes;
    }
}
