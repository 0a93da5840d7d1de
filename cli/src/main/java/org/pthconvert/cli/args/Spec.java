package org.pthconvert.cli.args;

import java.util.List;

/**
 * A command's table: what {@link Parser} accepts and what {@link Help} shows.
 *
 * @param name        the name as users type it, {@code pthconvert convert}
 * @param description paragraphs under the usage line; a paragraph that starts with spaces is an indented
 *                    table row and wraps under its own text
 * @param options     in the order help lists them; {@code -h/--help} and {@code -V/--version} are implied
 * @param positionals in order
 * @param commands    subcommands as {name, summary} (the top command only)
 * @param footer      paragraphs after the options (examples, exit status)
 */
public record Spec(String name, List<String> description, List<Opt> options, List<Positional> positionals,
                   List<Sub> commands, List<String> footer) {

    /** A subcommand as the top command's help lists it. */
    public record Sub(String name, String summary) {
    }

    public Spec {
        description = List.copyOf(description);
        options = List.copyOf(options);
        positionals = List.copyOf(positionals);
        commands = List.copyOf(commands);
        footer = List.copyOf(footer);
        for (int i = 0; i < options.size(); i++) {
            for (String n : options.get(i).names()) {
                if (isStandard(n) || i + 1 < options.size() && indexOf(options.subList(i + 1, options.size()), n) >= 0) {
                    throw new IllegalArgumentException(name + ": option " + n + " is declared twice");
                }
            }
        }
    }

    /** The option with this name, or null. */
    public Opt option(String optionName) {
        int i = indexOf(options, optionName);
        return i < 0 ? null : options.get(i);
    }

    private static int indexOf(List<Opt> opts, String optionName) {
        for (int i = 0; i < opts.size(); i++) {
            if (opts.get(i).named(optionName)) {
                return i;
            }
        }
        return -1;
    }

    static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    static boolean isVersion(String arg) {
        return arg.equals("--version") || arg.equals("-V");
    }

    static boolean isStandard(String arg) {
        return isHelp(arg) || isVersion(arg);
    }
}
