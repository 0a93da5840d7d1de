package org.pthconvert.cli.args;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

import org.pthconvert.cli.args.UsageException.Reason;

/**
 * Reads a command line against a {@link Spec}, GNU style: {@code --opt value}, {@code --opt=value},
 * short flags alone or clustered ({@code -fq}), a short option's value attached or next ({@code -j4},
 * {@code -j 4}, {@code -j=4}), repeatable options, and {@code --} to end the options. An argument that
 * starts with {@code @} is an ordinary argument: a command that takes list files reads them itself.
 */
public final class Parser {

    private Parser() {
    }

    /**
     * Parses {@code argv[from..]} (an error's argument index counts from {@code argv[0]}, the command's
     * name). Once {@code -h/--help} or {@code -V/--version} is seen the rest is
     * not checked: help is always reachable.
     *
     * @throws UsageException for an unknown option, a missing or malformed value, a missing required
     *                        option, or too few or too many positional arguments
     */
    public static Args parse(Spec spec, String[] argv, int from) {
        Args args = new Args(spec);
        boolean optionsEnded = false;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (optionsEnded || a.length() < 2 || a.charAt(0) != '-') {
                positional(spec, args, a, i);
            } else if (a.equals("--")) {
                optionsEnded = true;
            } else if (Spec.isHelp(a)) {
                args.requestHelp();
                return args;
            } else if (Spec.isVersion(a)) {
                args.requestVersion();
                return args;
            } else if (a.charAt(1) == '-') {
                i = longOption(spec, args, argv, i);
            } else {
                i = shortOptions(spec, args, argv, i);
                if (args.helpRequested() || args.versionRequested()) {
                    return args;
                }
            }
        }
        finish(spec, args);
        return args;
    }

    /** {@code --name}, {@code --name value} or {@code --name=value}; returns the last index used. */
    private static int longOption(Spec spec, Args args, String[] argv, int i) {
        String a = argv[i];
        int eq = a.indexOf('=');
        String name = eq < 0 ? a : a.substring(0, eq);
        Opt o = spec.option(name);
        if (o == null) {
            throw new UsageException(Reason.UNKNOWN_OPTION, spec.name(), "Unknown option: '" + name + "'");
        }
        if (eq >= 0) {
            set(spec, args, o, name, a.substring(eq + 1));
            return i;
        }
        if (!o.takesValue()) {
            set(spec, args, o, name, null);
            return i;
        }
        set(spec, args, o, name, valueAfter(spec, o, name, argv, i));
        return i + 1;
    }

    /** {@code -f}, {@code -fq}, {@code -j4}, {@code -j=4}, {@code -j 4}; returns the last index used. */
    private static int shortOptions(Spec spec, Args args, String[] argv, int i) {
        String a = argv[i];
        for (int k = 1; k < a.length(); k++) {
            String name = "-" + a.charAt(k);
            Opt o = spec.option(name);
            if (o == null) {
                if (Spec.isHelp(name)) {
                    args.requestHelp();
                    return i;
                }
                if (Spec.isVersion(name)) {
                    args.requestVersion();
                    return i;
                }
                throw new UsageException(Reason.UNKNOWN_OPTION, spec.name(), "Unknown option: '"
                        + (k == 1 ? a : name) + "'" + (k == 1 ? "" : " in '" + a + "'"));
            }
            if (!o.takesValue()) {
                set(spec, args, o, name, null);
                continue;
            }
            if (k + 1 < a.length()) {
                int start = a.charAt(k + 1) == '=' ? k + 2 : k + 1;
                set(spec, args, o, name, a.substring(start));
                return i;
            }
            set(spec, args, o, name, valueAfter(spec, o, name, argv, i));
            return i + 1;
        }
        return i;
    }

    /** The next argument as an option's value, unless there is none or it is itself an option. */
    private static String valueAfter(Spec spec, Opt o, String name, String[] argv, int i) {
        if (i + 1 >= argv.length || looksLikeOption(spec, argv[i + 1])) {
            throw new UsageException(Reason.MISSING_VALUE, spec.name(), "Missing required parameter for option '"
                    + name + "' (" + o.label() + ")");
        }
        return argv[i + 1];
    }

    private static boolean looksLikeOption(Spec spec, String arg) {
        if (arg.length() < 2 || arg.charAt(0) != '-') {
            return false;
        }
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        return Spec.isStandard(name) || spec.option(name) != null
                || arg.charAt(1) != '-' && spec.option(arg.substring(0, 2)) != null;
    }

    private static void set(Spec spec, Args args, Opt o, String name, String text) {
        if (o.kind() == Opt.Kind.FLAG) {
            if (text != null && !text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                throw new UsageException(Reason.BAD_VALUE, spec.name(), "Option '" + name
                        + "' is a flag and takes no value, not '" + text + "'");
            }
            args.set(o, text == null || text.equalsIgnoreCase("true") ? Boolean.TRUE : Boolean.FALSE);
            return;
        }
        if (o.kind() == Opt.Kind.VALUE && args.has(o)) {
            throw new UsageException(Reason.REPEATED_OPTION, spec.name(), "option '" + o.key() + "' ("
                    + o.label() + ") should be specified only once");
        }
        args.set(o, convert(spec, o.type(), "option '" + name + "'", text));
    }

    private static void positional(Spec spec, Args args, String a, int index) {
        List<Positional> ps = spec.positionals();
        int n = args.positionalCount();
        int seen = 0;
        for (int p = 0; p < ps.size(); p++) {
            Positional pos = ps.get(p);
            if (n < seen + pos.max() || pos.max() == Integer.MAX_VALUE) {
                args.addPositional(convert(spec, pos.type(), "positional parameter " + pos.label(), a));
                return;
            }
            seen += pos.max();
        }
        throw new UsageException(Reason.EXTRA_PARAMETER, spec.name(), "Unmatched argument at index " + index
                + ": '" + a + "'");
    }

    private static void finish(Spec spec, Args args) {
        StringBuilder missing = null;
        int count = 0;
        for (Opt o : spec.options()) {
            if (!args.has(o)) {
                if (o.required()) {
                    missing = missing == null ? new StringBuilder() : missing.append(", ");
                    missing.append('\'').append(o.key()).append('=').append(o.label()).append('\'');
                    count++;
                } else if (o.defaultValue() != null) {
                    args.setDefault(o, convert(spec, o.type(), "the default of option '" + o.key() + "'",
                            o.defaultValue()));
                }
            }
        }
        if (missing != null) {
            throw new UsageException(Reason.MISSING_OPTION, spec.name(), "Missing required option"
                    + (count > 1 ? "s: " : ": ") + missing);
        }
        int need = 0;
        StringBuilder labels = null;
        int absent = 0;
        for (Positional p : spec.positionals()) {
            need += p.min();
            if (args.positionalCount() < need) {
                labels = labels == null ? new StringBuilder() : labels.append(", ");
                labels.append('\'').append(p.label()).append('\'');
                absent++;
            }
        }
        if (labels != null) {
            throw new UsageException(Reason.MISSING_PARAMETER, spec.name(), "Missing required parameter"
                    + (absent > 1 ? "s: " : ": ") + labels);
        }
    }

    /** The value as its type, or a usage error that names the option and the value. */
    static Object convert(Spec spec, Opt.Type type, String what, String text) {
        try {
            switch (type) {
                case INT:
                    return Integer.valueOf(text.strip());
                case DOUBLE:
                    return Double.valueOf(text.strip());
                case PATH:
                    return Path.of(text);
                default:
                    return text;
            }
        } catch (NumberFormatException | InvalidPathException e) {
            String kind = type == Opt.Type.INT ? "an integer" : type == Opt.Type.DOUBLE ? "a number" : "a path";
            throw new UsageException(Reason.BAD_VALUE, spec.name(), "Invalid value for " + what + ": '" + text
                    + "' is not " + kind);
        }
    }
}
