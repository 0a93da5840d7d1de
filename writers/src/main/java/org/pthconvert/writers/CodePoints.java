package org.pthconvert.writers;

import java.util.Comparator;

/**
 * Text rules the reference tools follow and Java does not by default. Rust ({@code String::cmp})
 * and Python ({@code str} comparison, {@code sort_keys}) order strings by code point, which is also
 * the byte order of their UTF-8; {@link String#compareTo} compares UTF-16 units, which puts
 * U+10000 and above before U+E000..U+FFFF.
 */
public final class CodePoints {

    /** Orders strings by Unicode code point, as Rust and Python do. */
    public static final Comparator<String> ORDER = new ByCodePoint();

    /** A class, not a method reference: no lambda is linked on the start path (README, "Start-up"). */
    private static final class ByCodePoint implements Comparator<String> {
        @Override
        public int compare(String a, String b) {
            return CodePoints.compare(a, b);
        }
    }

    private CodePoints() {
    }

    /** Code point order of well-formed strings (see {@link #isWellFormed}); lone surrogates sort as pairs would. */
    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int k = 0; k < n; k++) {
            char x = a.charAt(k);
            char y = b.charAt(k);
            if (x != y) {
                // UTF-16 order is code point order except that surrogates (U+10000 and above) sort
                // before U+E000..U+FFFF: move those 0x800 down and surrogates 0x2000 up. Units before
                // the first difference are equal, so a pair split here differs in its second unit,
                // where the order of low surrogates is that of their code points.
                return Integer.compare(fix(x), fix(y));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** Whether every character of {@code s} is below 0x80: then its UTF-8 bytes are its characters. */
    public static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether every UTF-16 unit of {@code s} is below U+D800: then {@link String#compareTo} orders it
     * among such strings as {@link #compare} does.
     */
    public static boolean belowSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0xD800) {
                return false;
            }
        }
        return true;
    }

    private static int fix(char c) {
        return c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }

    /**
     * Bytes of {@code s} in UTF-8: a surrogate pair is 4, a lone surrogate 3 (as Python's
     * {@code 'surrogatepass'} writes it, which only the pth writer does; for well-formed text this is
     * plain UTF-8's length).
     */
    public static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (pairAt(s, i)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Whether a surrogate pair starts at {@code i}. */
    public static boolean pairAt(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** Why a writer refuses a name that is not well-formed ({@link #isWellFormed}): the same words in every format. */
    public static final String NO_UTF8_FORM = "the name is not valid Unicode (an unpaired surrogate); it has no UTF-8 form";

    /**
     * Whether the string is well-formed Unicode (no unpaired surrogate), so that its UTF-8 encoding
     * gives it back exactly. Java strings may hold lone surrogates; Rust and UTF-8 cannot.
     */
    public static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
