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
    public static final Comparator<String> ORDER = CodePoints::compare;

    private CodePoints() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

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
