package org.pthconvert.cli.format;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Fixed-point and grouped numbers as {@code String.format(Locale.ROOT, "%.Nf" / "%,d")} writes them,
 * without {@link java.util.Formatter}: its first floating-point or grouped conversion loads the
 * JDK's locale data, about 20 ms of every command that prints a size or a time (measured on
 * {@code inspect}, whose whole start-up budget is 0.2 s).
 */
public final class Decimals {
    private Decimals() {
    }

    /**
     * {@code v} with {@code places} digits after the point, rounded half up from its shortest
     * decimal form, as {@code %.Nf} rounds it; a negative value rounded to zero keeps its sign, as there.
     */
    public static String fixed(double v, int places) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        }
        String s = BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP).toPlainString();
        boolean negative = v < 0 || v == 0 && 1 / v < 0;
        return negative && s.charAt(0) != '-' ? "-" + s : s;
    }

    /** {@code n} with a comma between groups of three digits: {@code 12,345}. */
    public static String grouped(long n) {
        String digits = Long.toString(n);
        int start = n < 0 ? 1 : 0;
        int len = digits.length() - start;
        if (len <= 3) {
            return digits;
        }
        StringBuilder sb = new StringBuilder(digits.length() + len / 3);
        sb.append(digits, 0, start);
        int first = len % 3 == 0 ? 3 : len % 3;
        sb.append(digits, start, start + first);
        for (int i = start + first; i < digits.length(); i += 3) {
            sb.append(',').append(digits, i, i + 3);
        }
        return sb.toString();
    }
}
