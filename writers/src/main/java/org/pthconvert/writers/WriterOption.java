package org.pthconvert.writers;

import java.util.Locale;
import java.util.Objects;

import org.pthconvert.errors.InvalidRequestException;

/**
 * A setting one writer understands beyond the common {@link WriteOptions}: the CLI shows each as a
 * flag of {@code convert} (and {@code batch}) and accepts it as {@code -O key=value} too, checking
 * the value against {@link #type()} before any work. The writer reads it back with
 * {@link WriteOptions#extra}, {@link WriteOptions#extraFlag}, {@link WriteOptions#extraSize} or
 * {@link WriteOptions#extraInt}.
 *
 * @param key  {@code <writer>.<name>}, lower case: {@code hdf5.flat}
 * @param flag the long option, {@code --flat}; several writers may declare the same flag only with
 *             the same key and type
 * @param type what the value is
 * @param help one or two sentences for {@code --help}
 */
public record WriterOption(String key, String flag, Type type, String help) {

    /** What kind of value an option takes. */
    public enum Type {
        /** On or off; the flag takes no value, {@code -O key=true|false}. */
        FLAG,
        /** Any text. */
        STRING,
        /** A whole number, at least 0. */
        INT,
        /** A byte count: {@code 5GB} (decimal), {@code 2GiB} (binary), {@code 1000} (bytes). */
        SIZE
    }

    public WriterOption {
        Objects.requireNonNull(type, "type");
        if (!isKey(key)) {
            throw new IllegalArgumentException("writer option key must look like 'writer.name': " + key);
        }
        if (!flag.startsWith("--") || flag.length() < 3) {
            throw new IllegalArgumentException("writer option flag must be a long option: " + flag);
        }
    }

    /**
     * The value in its canonical text form ({@code true}/{@code false}, a decimal number of bytes).
     *
     * @throws InvalidRequestException saying what {@link #flag()} takes
     */
    public String normalize(String value) {
        return switch (type) {
            case STRING -> value;
            case FLAG -> switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1", "" -> "true";
                case "false", "no", "off", "0" -> "false";
                default -> throw invalid(value, "true or false");
            };
            case INT -> {
                try {
                    long n = Long.parseLong(value.trim());
                    if (n < 0) {
                        throw invalid(value, "a whole number >= 0");
                    }
                    yield Long.toString(n);
                } catch (NumberFormatException e) {
                    throw invalid(value, "a whole number >= 0");
                }
            }
            case SIZE -> Long.toString(parseSize(value));
        };
    }

    private InvalidRequestException invalid(String value, String wanted) {
        return new InvalidRequestException(flag + " (" + key + ") takes " + wanted + ", not '" + value + "'");
    }

    /**
     * Parses {@code 5GB} (decimal, as Hugging Face means it), {@code 5GiB} (binary), {@code 100MB},
     * {@code 1000} (bytes).
     *
     * @throws InvalidRequestException for anything else, or a size under 1 byte or absurdly large
     */
    public static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new InvalidRequestException("size '" + text + "' does not start with a number");
        }
        double n;
        try {
            n = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("size '" + text + "' does not start with a number");
        }
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
            default -> throw new InvalidRequestException("size '" + text
                    + "': unknown unit (use B, KB, MB, GB, KiB, MiB, GiB)");
        };
        double bytes = n * mult;
        if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
            throw new InvalidRequestException("size '" + text + "' is out of range");
        }
        return (long) bytes;
    }

    /**
     * {@code [a-z0-9]+\.[a-z0-9][a-z0-9.-]*}, checked by hand: every command builds the writers' options
     * at start-up, and a regular expression there cost a few milliseconds of each.
     */
    static boolean isKey(String key) {
        int dot = key.indexOf('.');
        if (dot <= 0 || dot + 1 >= key.length()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            boolean ok = i < dot || i == dot + 1 ? alnum : i == dot || alnum || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
