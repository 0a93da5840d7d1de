package org.pthconvert.cli.format;

/** Text laid out in columns for terminals, without a {@code Formatter} (it would cost start-up). */
public final class Columns {
    private Columns() {
    }

    /** {@code s} followed by spaces up to {@code width} characters, as {@code %-Ns} writes it. */
    public static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
