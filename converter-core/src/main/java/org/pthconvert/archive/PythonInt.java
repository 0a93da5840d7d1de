package org.pthconvert.archive;

/**
 * Python's {@code int(text, 8)}, for tar header fields as {@code tarfile} reads them: an optional
 * sign, an optional {@code 0o} prefix, octal digits with single underscores between them.
 */
final class PythonInt {
    private PythonInt() {
    }

    /** The value, or -1 when Python would raise ValueError, or the value is negative or too large. */
    static long parseOctal(String s) {
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        boolean underscoreAllowed = false;
        if (i + 1 < s.length() && s.charAt(i) == '0' && (s.charAt(i + 1) == 'o' || s.charAt(i + 1) == 'O')) {
            i += 2;
            underscoreAllowed = true; // int('0o_7', 8) is 7
        }
        long n = 0;
        int digits = 0;
        boolean lastUnderscore = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                if (lastUnderscore || digits == 0 && !underscoreAllowed) {
                    return -1;
                }
                lastUnderscore = true;
                continue;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            if (n > (Long.MAX_VALUE >> 3)) {
                return -1;
            }
            n = n * 8 + (c - '0');
            digits++;
            lastUnderscore = false;
        }
        if (digits == 0 || lastUnderscore) {
            return -1;
        }
        return negative && n != 0 ? -1 : n;
    }
}
