package org.pthconvert.cli.inspect;

/** Text from a checkpoint made safe to show on a terminal. */
public final class Terminal {
    private Terminal() {
    }

    /**
     * {@code s} with every control character (C0, DEL, C1), bidi control, line separator and lone
     * surrogate written as a backslash escape (x and two hex digits, or u and four): text from a file
     * (a class name, a key) must not move the cursor, erase lines or reorder what the terminal shows.
     */
    public static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            boolean bidi = c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069' || c == '\u200e'
                    || c == '\u200f' || c == '\u061c';
            boolean hide = type == Character.CONTROL || bidi || type == Character.SURROGATE
                    && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))
                    || c == '\u2028' || c == '\u2029';
            if (hide) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                out.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
