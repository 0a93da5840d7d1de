package org.pthconvert.writers;

/**
 * Decimal digits of non-negative numbers written as ASCII bytes straight into an array: writers put
 * a number or two per tensor into headers, pickles and record names, and a string for each would be
 * objects made and copied 100,000 times in some checkpoints. Int arithmetic where the value allows:
 * C1, which runs this, calls into the runtime for each long division.
 */
public final class Digits {
    private Digits() {
    }

    /** Characters of {@code Integer.toString(v)} for {@code v >= 0}. */
    public static int count(int v) {
        int n = 1;
        for (int t = v; t >= 10; t /= 10) {
            n++;
        }
        return n;
    }

    /** Characters of {@code Long.toString(v)} for {@code v >= 0}. */
    public static int count(long v) {
        if (v <= Integer.MAX_VALUE) {
            return count((int) v);
        }
        int n = 1;
        for (long t = v; t >= 10; t /= 10) {
            n++;
        }
        return n;
    }

    /**
     * Writes the last {@code digits} decimal digits of {@code v >= 0} into {@code dst[at]} to
     * {@code dst[at + digits - 1]}, zeros first where it has fewer.
     */
    public static void write(byte[] dst, int at, int v, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            dst[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
    }
}
