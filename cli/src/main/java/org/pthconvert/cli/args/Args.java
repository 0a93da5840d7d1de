package org.pthconvert.cli.args;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Parser} read from one command line: option values by {@link Opt#key()} (already checked
 * against their {@link Opt.Type}), defaults filled in, and the positional arguments in order.
 */
public final class Args {

    private final Spec spec;
    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, Boolean> given = new HashMap<>();
    private final List<Object> positionals = new ArrayList<>();
    private boolean help;
    private boolean version;

    Args(Spec spec) {
        this.spec = spec;
    }

    public Spec spec() {
        return spec;
    }

    /** {@code -h} or {@code --help} was given: show help, check nothing else. */
    public boolean helpRequested() {
        return help;
    }

    /** {@code -V} or {@code --version} was given. */
    public boolean versionRequested() {
        return version;
    }

    /** Whether the option was on the command line (not only defaulted). */
    public boolean given(String name) {
        return given.containsKey(known(name).key());
    }

    public boolean flag(String name) {
        return values.get(known(name).key()) == Boolean.TRUE;
    }

    /** A {@link Opt.Kind#VALUE} option's text, its default, or null. */
    public String string(String name) {
        Object v = values.get(known(name).key());
        return v == null ? null : v.toString();
    }

    public Integer integer(String name) {
        return (Integer) values.get(known(name).key());
    }

    public double number(String name) {
        Object v = values.get(known(name).key());
        if (v == null) {
            throw new IllegalStateException(name + " has no value and no default");
        }
        return (Double) v;
    }

    public Path path(String name) {
        return (Path) values.get(known(name).key());
    }

    /** A repeatable option's values in order (empty when not given). */
    public List<String> list(String name) {
        @SuppressWarnings("unchecked")
        List<String> v = (List<String>) values.get(known(name).key());
        return v == null ? List.of() : List.copyOf(v);
    }

    /** The {@code i}-th positional argument as its declared type ({@link Path} or String). */
    public Object positional(int i) {
        return i < positionals.size() ? positionals.get(i) : null;
    }

    public Path pathAt(int i) {
        return (Path) positional(i);
    }

    public List<Object> positionals() {
        return List.copyOf(positionals);
    }

    private Opt known(String name) {
        Opt o = spec.option(name);
        if (o == null) {
            throw new IllegalArgumentException(spec.name() + " declares no option " + name);
        }
        return o;
    }

    // ------------------------------------------------------------------------------ filled in by Parser

    void requestHelp() {
        help = true;
    }

    void requestVersion() {
        version = true;
    }

    boolean has(Opt o) {
        return given.containsKey(o.key());
    }

    void set(Opt o, Object value) {
        given.put(o.key(), Boolean.TRUE);
        if (o.kind() == Opt.Kind.LIST) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) values.get(o.key());
            if (l == null) {
                l = new ArrayList<>();
                values.put(o.key(), l);
            }
            l.add(value);
        } else {
            values.put(o.key(), value);
        }
    }

    void setDefault(Opt o, Object value) {
        values.put(o.key(), value);
    }

    void addPositional(Object value) {
        positionals.add(value);
    }

    int positionalCount() {
        return positionals.size();
    }
}
