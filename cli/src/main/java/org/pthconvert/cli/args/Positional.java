package org.pthconvert.cli.args;

import java.util.List;

/**
 * A positional parameter: {@code IN}, or {@code FILE...} when it takes several.
 *
 * @param min at least this many arguments
 * @param max at most this many ({@link Integer#MAX_VALUE}: no limit)
 */
public record Positional(String label, int min, int max, Opt.Type type, List<String> help) {

    public Positional {
        help = List.copyOf(help);
        if (min < 0 || max < Math.max(min, 1)) {
            throw new IllegalArgumentException(label + ": arity " + min + ".." + max);
        }
    }

    /** Exactly one argument. */
    public static Positional one(String label, Opt.Type type, String... help) {
        return new Positional(label, 1, 1, type, List.of(help));
    }

    /** One or more arguments. */
    public static Positional some(String label, Opt.Type type, String... help) {
        return new Positional(label, 1, Integer.MAX_VALUE, type, List.of(help));
    }

    /** How the synopsis shows it: {@code IN}, {@code FILE...}, {@code [X...]}. */
    String synopsis() {
        String s = max > 1 ? label + "..." : label;
        return min == 0 ? "[" + s + "]" : s;
    }
}
