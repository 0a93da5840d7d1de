package org.pthconvert.cli.args;

import java.util.List;

/**
 * One option of a command: its names ({@code -f}, {@code --force}), what it takes, and its help.
 *
 * @param names        every name, each with its dashes; the last one is the name {@link Args} knows it by
 * @param label        what the value is called in help ({@code FORMAT}); null for a flag
 * @param kind         a flag, a single value or a repeatable value
 * @param type         what a value must parse as; checked when parsing, so a bad one is a usage error
 * @param defaultValue the value when the option is not given (null: none)
 * @param help         the description, one paragraph per element
 * @param required     the command refuses to run without it
 * @param hidden       parsed but not shown in help
 */
public record Opt(List<String> names, String label, Kind kind, Type type, String defaultValue, List<String> help,
                  boolean required, boolean hidden) {

    /** What an option takes. */
    public enum Kind {
        /** Nothing: present or not. */
        FLAG,
        /** One value; giving the option twice is an error. */
        VALUE,
        /** A value each time it is given, kept in order. */
        LIST
    }

    /** What a value must parse as. */
    public enum Type {
        TEXT, INT, DOUBLE, PATH
    }

    public Opt {
        names = List.copyOf(names);
        help = List.copyOf(help);
        if (names.isEmpty() || (kind == Kind.FLAG) != (label == null)) {
            throw new IllegalArgumentException("an option needs a name, and a label exactly when it takes a value: "
                    + names);
        }
    }

    public static Opt flag(String name, String help) {
        return new Opt(List.of(name), null, Kind.FLAG, Type.TEXT, null, List.of(help), false, false);
    }

    /** A flag with a short and a long name, e.g. {@code -f, --force}. */
    public static Opt flag(String shortName, String longName, String help) {
        return new Opt(List.of(shortName, longName), null, Kind.FLAG, Type.TEXT, null, List.of(help), false, false);
    }

    public static Opt value(String name, String label, String... help) {
        return new Opt(List.of(name), label, Kind.VALUE, Type.TEXT, null, List.of(help), false, false);
    }

    public static Opt list(String name, String label, String... help) {
        return new Opt(List.of(name), label, Kind.LIST, Type.TEXT, null, List.of(help), false, false);
    }

    /** The same option also under a short name such as {@code -j}. */
    public Opt shortName(String shortName) {
        List<String> all = new java.util.ArrayList<>(names.size() + 1);
        all.add(shortName);
        all.addAll(names);
        return new Opt(all, label, kind, type, defaultValue, help, required, hidden);
    }

    public Opt typed(Type t) {
        return new Opt(names, label, kind, t, defaultValue, help, required, hidden);
    }

    public Opt withDefault(String value) {
        return new Opt(names, label, kind, type, value, help, required, hidden);
    }

    public Opt asRequired() {
        return new Opt(names, label, kind, type, defaultValue, help, true, hidden);
    }

    public Opt asHidden() {
        return new Opt(names, label, kind, type, defaultValue, help, required, true);
    }

    /** The name results are looked up by: the last, usually the long one. */
    public String key() {
        return names.get(names.size() - 1);
    }

    public boolean takesValue() {
        return kind != Kind.FLAG;
    }

    boolean named(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(name)) {
                return true;
            }
        }
        return false;
    }
}
