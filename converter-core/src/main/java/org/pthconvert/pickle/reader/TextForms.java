package org.pthconvert.pickle.reader;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * The textual and encoded argument forms of pickle opcodes, decoded as CPython does. Where CPython's
 * C unpickler ({@code _pickle}, what torch uses) and {@code pickle.py} disagree on input no pickler
 * writes, the stricter reading wins (e.g. {@code I010} is refused: C reads octal 8, pickle.py fails).
 */
final class TextForms {
    /**
     * PyOS_string_to_double: no whitespace, no underscores, no hex; inf/infinity/nan in any case.
     * Possessive quantifiers: with plain {@code [0-9]+\.?[0-9]*} a long run of digits that does not
     * match is retried at every split between the two runs, quadratic time (100,000 digits: minutes).
     */
    private static final class FloatSyntax {
        // A holder class: the pattern is compiled on the first protocol-0 float, not whenever a pickle
        // has text (regular expressions cost every command a few milliseconds to start up).
        static final Pattern FLOAT = Pattern.compile(
                "[+-]?+(?:(?:[0-9]++(?:\\.[0-9]*+)?+|\\.[0-9]++)(?:[eE][+-]?+[0-9]++)?+|(?i:inf|infinity|nan))");
    }

    private TextForms() {
    }

    /**
     * Python's {@code int(text, 0)} (base0) or {@code int(text)}: surrounding whitespace, a sign,
     * 0x/0o/0b prefixes (base0 only) and single underscores between digits.
     */
    static BigInteger parseInt(byte[] text, boolean base0, long maxDecimalDigits) throws CheckpointException {
        String s = stripAsciiSpace(ascii(text, "integer"));
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i++) == '-';
        }
        int radix = 10;
        boolean prefixed = false;
        if (base0 && s.length() - i >= 2 && s.charAt(i) == '0') {
            char p = Character.toLowerCase(s.charAt(i + 1));
            radix = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
            if (radix != 10) {
                i += 2;
                prefixed = true;
                if (i < s.length() && s.charAt(i) == '_') {
                    i++;
                }
            }
        }
        StringBuilder digits = new StringBuilder(s.length() - i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_' && digits.length() > 0 && i + 1 < s.length() && s.charAt(i + 1) != '_') {
                continue;
            }
            if (Character.digit(c, radix) < 0) {
                throw invalidInt(text, base0);
            }
            digits.append(c);
        }
        if (digits.length() == 0 || (prefixed && s.endsWith("_"))) {
            throw invalidInt(text, base0);
        }
        if (base0 && !prefixed && digits.charAt(0) == '0' && !digits.toString().matches("0+")) {
            throw invalidInt(text, base0); // Python 3 has no 010 octal literals
        }
        if (radix == 10 && digits.length() > maxDecimalDigits) {
            throw PickleInput.error(Reason.LIMIT, "integer of " + digits.length() + " digits exceeds the limit of "
                    + maxDecimalDigits);
        }
        BigInteger v = radix == 10 ? new BigInteger(digits.toString()) : powerOfTwo(digits, radix);
        return negative ? v.negate() : v;
    }

    /**
     * Digits in base 2, 8 or 16, in linear time ({@code new BigInteger(String, radix)} takes quadratic
     * time in any radix: 260,000 hex digits took 1.5 s).
     */
    private static BigInteger powerOfTwo(CharSequence digits, int radix) {
        int bits = Integer.numberOfTrailingZeros(radix);
        int n = digits.length();
        byte[] magnitude = new byte[(int) (((long) n * bits + 7) / 8)];
        long bit = 0;
        for (int i = n - 1; i >= 0; i--, bit += bits) {
            int d = Character.digit(digits.charAt(i), radix);
            for (int b = 0; b < bits; b++) {
                if ((d >> b & 1) != 0) {
                    long at = bit + b;
                    magnitude[magnitude.length - 1 - (int) (at >>> 3)] |= (byte) (1 << (at & 7));
                }
            }
        }
        return new BigInteger(1, magnitude);
    }

    private static CheckpointException invalidInt(byte[] text, boolean base0) {
        return PickleInput.error(Reason.INVALID, "invalid literal for int()" + (base0 ? " with base 0" : "") + ": '"
                + abbreviate(new String(text, StandardCharsets.ISO_8859_1)) + "'");
    }

    /** FLOAT's text, as the C unpickler reads it; a finite literal too large for a double is an error. */
    static double parseFloat(byte[] text) throws CheckpointException {
        String s = ascii(text, "float");
        if (!FloatSyntax.FLOAT.matcher(s).matches()) {
            throw PickleInput.error(Reason.INVALID, "could not convert string to float: '" + abbreviate(s) + "'");
        }
        String body = s.replaceFirst("^[+-]", "").toLowerCase();
        double sign = s.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (body.equals("nan")) {
            return Double.NaN;
        }
        double d = Double.parseDouble(s);
        if (Double.isInfinite(d)) {
            throw PickleInput.error(Reason.INVALID, "value too large to convert to float: '" + abbreviate(s) + "'");
        }
        return d;
    }

    /** A LONG1/LONG4 payload: little-endian two's complement; no bytes is 0. */
    static BigInteger decodeLong(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return BigInteger.ZERO;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return new BigInteger(bigEndian);
    }

    /**
     * STRING's argument: a quoted Python 2 {@code repr} with backslash escapes
     * ({@code codecs.escape_decode}), returning the raw bytes.
     */
    static byte[] unquoteString(byte[] line) throws CheckpointException {
        int n = line.length;
        if (n < 2 || line[0] != line[n - 1] || (line[0] != '\'' && line[0] != '"')) {
            throw PickleInput.error(Reason.INVALID, "the STRING opcode argument must be quoted");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        for (int i = 1; i < n - 1; i++) {
            int c = line[i] & 0xff;
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (++i >= n - 1) {
                throw PickleInput.error(Reason.INVALID, "trailing \\ in STRING");
            }
            c = line[i] & 0xff;
            switch (c) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out.write(c);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 't' -> out.write(9);
                case 'n' -> out.write(10);
                case 'r' -> out.write(13);
                case 'v' -> out.write(11);
                case 'a' -> out.write(7);
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int v = c - '0';
                    for (int k = 0; k < 2 && i + 1 < n - 1 && line[i + 1] >= '0' && line[i + 1] <= '7'; k++) {
                        v = v * 8 + line[++i] - '0';
                    }
                    out.write(v & 0xff);
                }
                case 'x' -> {
                    int hi = i + 2 < n - 1 ? Character.digit(line[i + 1], 16) : -1;
                    int lo = hi >= 0 ? Character.digit(line[i + 2], 16) : -1;
                    if (lo < 0) {
                        throw PickleInput.error(Reason.INVALID, "invalid \\x escape in STRING at position " + (i - 2));
                    }
                    out.write(hi * 16 + lo);
                    i += 2;
                }
                default -> {
                    out.write('\\');
                    out.write(c);
                }
            }
        }
        return out.toByteArray();
    }

    /**
     * A Python 2 byte string (STRING, BINSTRING, SHORT_BINSTRING) as str: UTF-8, as torch.load
     * decodes them, or latin-1 when the bytes are not UTF-8 (binary data torch would need
     * {@code encoding='latin1'} for).
     */
    static String python2String(byte[] bytes) {
        String s = utf8(bytes, false);
        return s != null ? s : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** UNICODE's argument: {@code raw-unicode-escape}, where only \\uXXXX and \\UXXXXXXXX are escapes. */
    static String rawUnicodeEscape(byte[] line) throws CheckpointException {
        StringBuilder sb = new StringBuilder(line.length);
        int i = 0;
        while (i < line.length) {
            int c = line[i] & 0xff;
            if (c != '\\') {
                sb.append((char) c);
                i++;
                continue;
            }
            int run = 0;
            while (i < line.length && line[i] == '\\') {
                run++;
                i++;
            }
            // An escape only when the backslash before the u is not itself escaped.
            boolean escape = run % 2 == 1 && i < line.length && (line[i] == 'u' || line[i] == 'U');
            sb.append("\\".repeat(escape ? run - 1 : run));
            if (escape) {
                int digits = line[i] == 'u' ? 4 : 8;
                int cp = 0;
                for (int k = 1; k <= digits; k++) {
                    int d = i + k < line.length ? Character.digit(line[i + k], 16) : -1;
                    if (d < 0) {
                        throw PickleInput.error(Reason.INVALID, "truncated \\" + (char) line[i] + " escape in UNICODE");
                    }
                    cp = cp * 16 + d;
                }
                if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                    throw PickleInput.error(Reason.INVALID, "\\U escape out of range in UNICODE");
                }
                sb.appendCodePoint(cp);
                i += digits + 1;
            }
        }
        return sb.toString();
    }

    /**
     * Strict UTF-8; with {@code surrogatePass} encoded surrogates (ED A0 80 ...) are accepted, as
     * Python's {@code 'surrogatepass'} does for BINUNICODE. Returns null on invalid input.
     */
    private static boolean isAscii(byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    static String utf8(byte[] b, boolean surrogatePass) {
        return utf8(b, b.length, surrogatePass);
    }

    /** {@link #utf8(byte[], boolean)} of the first {@code length} bytes of {@code b}. */
    static String utf8(byte[] b, int length, boolean surrogatePass) {
        if (isAscii(b, length)) {
            return new String(b, 0, length, StandardCharsets.ISO_8859_1); // names and keys: one copy, no builder
        }
        StringBuilder sb = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int need;
            int cp;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                cp = c & 0x1f;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                cp = c & 0x0f;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                cp = c & 0x07;
                min = 0x10000;
            } else {
                return null;
            }
            if (i + need >= length) {
                return null;
            }
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    return null;
                }
                cp = cp << 6 | (cc & 0x3f);
            }
            if (cp < min || cp > Character.MAX_CODE_POINT
                    || (!surrogatePass && cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
                return null;
            }
            sb.appendCodePoint(cp);
            i += need + 1;
        }
        return sb.toString();
    }

    /** Text that must be ASCII (numbers, protocol-0 names and persistent ids). */
    static String ascii(byte[] text, String what) throws CheckpointException {
        for (byte b : text) {
            if (b < 0) {
                throw PickleInput.error(Reason.INVALID, what + " text is not ASCII");
            }
        }
        return new String(text, StandardCharsets.US_ASCII);
    }

    /** Python's bytes whitespace: space, \t, \n, \r, \v, \f. */
    private static String stripAsciiSpace(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && " \t\n\r\u000b\f".indexOf(s.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && " \t\n\r\u000b\f".indexOf(s.charAt(to - 1)) >= 0) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Pickle text in an error: up to 70 characters whole, else its first 30 and its length. */
    static String abbreviate(String s) {
        return CheckpointException.shown(s, 30);
    }
}
