package org.pthconvert.pickle.reader;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.safety.Allowlist;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.reader.DataOnlyHooks.PlainCall;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;

/**
 * The allowlist of {@link DataOnlyHooks}: constructors that, called with inert arguments, only make
 * plain data, so answering them with an inert value loses nothing and runs nothing. Keyed by the
 * names the unpickler resolves ({@code __builtin__} is {@code builtins} by then); the keys must be
 * exactly the allowlist's {@link Allowlist.Role#PLAIN_CALL} names.
 */
final class PlainCalls {
    static final PGlobal COMPLEX = new PGlobal("builtins", "complex");

    /**
     * The allowlist, with {@code keys} charged for every dict key and set member these calls hash:
     * one per pickle, so that hashing one costly key over and over (a list of 100,000 references to a
     * tuple of 5000 ints, given to {@code set()}) is bounded like SETITEMS is.
     */
    static Map<String, PlainCall> table(KeyGuard keys) {
        Map<String, PlainCall> m = new HashMap<>();
        for (Kind kind : Kind.values()) {
            m.put(kind.qualified, new Call(kind, keys));
        }
        if (!m.keySet().equals(Allowlist.names(Allowlist.Role.PLAIN_CALL))) {
            throw new IllegalStateException("PlainCalls and the allowlist disagree: " + m.keySet() + " vs "
                    + Allowlist.names(Allowlist.Role.PLAIN_CALL));
        }
        return m;
    }

    /** The allowlisted callables, by qualified name; {@link Call} has a case for each (the compiler checks). */
    private enum Kind {
        SET("builtins.set"), FROZENSET("builtins.frozenset"), LIST("builtins.list"), TUPLE("builtins.tuple"),
        DICT("builtins.dict"), BYTES("builtins.bytes"), BYTEARRAY("builtins.bytearray"),
        COMPLEX("builtins.complex"), SLICE("builtins.slice"), RANGE("builtins.range"), OBJECT("builtins.object"),
        ENCODE("_codecs.encode"), ORDERED_DICT("collections.OrderedDict"), COUNTER("collections.Counter"),
        DEFAULT_DICT("collections.defaultdict"), RECONSTRUCTOR("copyreg._reconstructor");

        final String qualified;

        Kind(String qualified) {
            this.qualified = qualified;
        }
    }

    /**
     * One allowlisted callable. A switch rather than a lambda each: every command that reads a
     * checkpoint builds this table, and linking sixteen lambdas cost it several milliseconds.
     */
    private record Call(Kind kind, KeyGuard keys) implements PlainCall {
        @Override
        public PickleValue apply(PGlobal g, PTuple a, long off) throws CheckpointException {
            return switch (kind) {
                // Builtin containers and scalars built from values that are already inert: no user code runs.
                case SET -> fill(g, new PSet(false), a, keys, off);
                case FROZENSET -> fill(g, new PSet(true), a, keys, off);
                case LIST -> list(g, a, off);
                case TUPLE -> new PTuple(a.size() == 0 ? List.of() : items(one(g, a, off), off));
                case DICT -> dict(new PDict(false), g, a, keys, off);
                // bytes() is how protocols 0-2 write b''; bytearray(bytes) how they write a bytearray.
                case BYTES -> bytes(g, a, false, off);
                case BYTEARRAY -> bytes(g, a, true, off);
                case COMPLEX -> complex(a, off);
                // slice(start, stop, step) and range (protocol 2's xrange): numbers kept by name.
                case SLICE -> numbers(g, a, 1, 3, true, off);
                case RANGE -> numbers(g, a, 1, 3, false, off);
                // A bare object(): it has no behaviour to run.
                case OBJECT -> {
                    arity(g, a, 0, 0, off);
                    yield new PObject(g, PTuple.EMPTY);
                }
                // Protocols 0-2 write bytes as _codecs.encode(str, 'latin1'): a pure text encoding.
                case ENCODE -> {
                    arity(g, a, 1, 3, off);
                    yield encode(a.get(0), a.size() > 1 ? a.get(1) : new PStr("utf-8"), a.size() > 2 ? a.get(2) : null,
                            false, off);
                }
                // Every state dict is an OrderedDict: a dict that keeps insertion order. Counter and
                // defaultdict are dicts training code pickles (MultiStepLR keeps its milestones in a Counter).
                case ORDERED_DICT -> dict(new PDict(true), g, a, keys, off);
                case COUNTER -> dict(new PDict(false), g, a, keys, off);
                case DEFAULT_DICT -> new PDict(false);
                // Protocol 0/1 objects: object.__new__(cls) (or a builtin base's), never cls's own code.
                case RECONSTRUCTOR -> reconstructor(g, a, keys, off);
            };
        }
    }

    private PlainCalls() {
    }

    static boolean isBuiltins(String module) {
        return module.equals("builtins");
    }

    /** {@code slice}/{@code range} of ints (slice also None): an inert symbol with its arguments. */
    private static PickleValue numbers(PGlobal g, PTuple args, int min, int max, boolean noneOk, long offset)
            throws CheckpointException {
        arity(g, args, min, max, offset);
        for (PickleValue v : args.items()) {
            if (!(v instanceof PInt || v instanceof PBool || noneOk && v == PNone.NONE)) {
                throw DataOnlyHooks.error(Reason.UNSUPPORTED, offset, g.qualified() + "() of a " + v.typeName()
                        + " is not supported");
            }
        }
        return new PSymbol(g, args);
    }

    private static PickleValue fill(PGlobal g, PSet set, PTuple args, KeyGuard keys, long offset)
            throws CheckpointException {
        arity(g, args, 0, 1, offset);
        if (args.size() == 1) {
            for (PickleValue v : items(args.get(0), offset)) {
                keys.charge(v);
                set.add(v);
            }
        }
        return set;
    }

    private static PickleValue list(PGlobal g, PTuple args, long offset) throws CheckpointException {
        arity(g, args, 0, 1, offset);
        PList list = new PList();
        if (args.size() == 1) {
            list.items().addAll(items(args.get(0), offset));
        }
        return list;
    }

    /** {@code dict()} / {@code OrderedDict()}: empty, from a mapping, or from (key, value) pairs. */
    private static PickleValue dict(PDict dict, PGlobal g, PTuple args, KeyGuard keys, long offset)
            throws CheckpointException {
        arity(g, args, 0, 1, offset);
        if (args.size() == 0) {
            return dict;
        }
        if (args.get(0) instanceof PDict source) {
            for (Map.Entry<PickleValue, PickleValue> e : source.entries()) {
                keys.charge(e.getKey());
                dict.put(e.getKey(), e.getValue());
            }
            return dict;
        }
        int i = 0;
        for (PickleValue pair : items(args.get(0), offset)) {
            List<PickleValue> kv = pair instanceof PTuple t ? t.items() : pair instanceof PList l ? l.items() : null;
            if (kv == null || kv.size() != 2) {
                throw DataOnlyHooks.error(Reason.INVALID, offset, g.qualified() + "() sequence element #" + i
                        + " is not a (key, value) pair");
            }
            keys.charge(kv.get(0));
            dict.put(kv.get(0), kv.get(1));
            i++;
        }
        return dict;
    }

    private static PickleValue bytes(PGlobal g, PTuple args, boolean mutable, long offset) throws CheckpointException {
        arity(g, args, 0, 3, offset);
        if (args.size() == 0) {
            return PBytes.adopt(new byte[0], mutable);
        }
        PickleValue source = args.get(0);
        if (source instanceof PBytes b && args.size() == 1) {
            return PBytes.sharing(b, mutable); // values are immutable here: no copy needed
        }
        if (source instanceof PStr && args.size() >= 2) {
            return encode(source, args.get(1), args.size() > 2 ? args.get(2) : null, mutable, offset);
        }
        throw DataOnlyHooks.error(Reason.UNSUPPORTED, offset, g.qualified() + "() of a " + source.typeName()
                + " is not supported");
    }

    /** {@code str.encode(encoding, errors)} for the strict latin-1, UTF-8 and ASCII codecs. */
    private static PickleValue encode(PickleValue text, PickleValue encoding, PickleValue errors, boolean mutable,
                                      long offset) throws CheckpointException {
        if (!(text instanceof PStr s) || !(encoding instanceof PStr enc)) {
            throw DataOnlyHooks.error(Reason.INVALID, offset, "encode() needs a str and an encoding name");
        }
        if (errors != null && !(errors instanceof PStr e && e.value().equals("strict"))) {
            throw DataOnlyHooks.error(Reason.UNSUPPORTED, offset, "encode() with errors=" + errors);
        }
        int max = switch (enc.value().toLowerCase().replace('-', '_').replace(' ', '_')) {
            case "latin1", "latin_1", "iso_8859_1", "iso8859_1", "l1" -> 0xff;
            case "ascii", "us_ascii" -> 0x7f;
            case "utf8", "utf_8", "u8" -> Character.MAX_CODE_POINT;
            default -> throw DataOnlyHooks.error(Reason.UNSUPPORTED, offset, "encoding '" + enc.value()
                    + "' is not supported");
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.value().length());
        String chars = s.value();
        for (int i = 0, cp; i < chars.length(); i += Character.charCount(cp)) { // not a stream: README, "Start-up"
            cp = chars.codePointAt(i);
            if (cp > max || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
                throw DataOnlyHooks.error(Reason.INVALID, offset, String.format(
                        "'%s' codec can't encode character U+%04X", enc.value(), cp));
            }
            if (max == Character.MAX_CODE_POINT) {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } else {
                out.write(cp);
            }
        }
        return PBytes.adopt(out.toByteArray(), mutable);
    }

    /** {@code complex(re, im)} as a {@link PSymbol} of {@code builtins.complex} with two floats. */
    static PickleValue complex(PTuple args, long offset) throws CheckpointException {
        arity(COMPLEX, args, 0, 2, offset);
        double re = args.size() > 0 ? real(args.get(0), offset) : 0.0;
        double im = args.size() > 1 ? real(args.get(1), offset) : 0.0;
        return new PSymbol(COMPLEX, new PTuple(List.of(new PFloat(re), new PFloat(im))));
    }

    private static double real(PickleValue v, long offset) throws CheckpointException {
        if (v instanceof PFloat f) {
            return f.value();
        }
        if (v instanceof PBool b) {
            return b.value() ? 1.0 : 0.0;
        }
        if (v instanceof PInt i) {
            double d = i.value().doubleValue();
            if (Double.isInfinite(d)) {
                throw DataOnlyHooks.error(Reason.INVALID, offset, "int too large to convert to float");
            }
            return d;
        }
        throw DataOnlyHooks.error(Reason.UNSUPPORTED, offset, "complex() of a " + v.typeName() + " is not supported");
    }

    /**
     * {@code copyreg._reconstructor(cls, base, state)}: {@code object.__new__(cls)} when base is
     * object; {@code base.__new__(cls, state)} + {@code base.__init__} for a builtin base. Any other
     * base would run that class's code, so it is refused.
     */
    private static PickleValue reconstructor(PGlobal g, PTuple args, KeyGuard keys, long offset)
            throws CheckpointException {
        arity(g, args, 3, 3, offset);
        if (!(args.get(0) instanceof PGlobal cls) || !(args.get(1) instanceof PGlobal base)) {
            throw DataOnlyHooks.error(Reason.INVALID, offset, g.qualified() + " needs a class and a base class");
        }
        PickleValue state = args.get(2);
        if (!isBuiltins(base.module())) {
            throw DataOnlyHooks.dangerous(offset, "call to " + g.qualified() + " with base " + base.qualified());
        }
        PObject obj = switch (base.name()) {
            case "object", "dict", "list" -> new PObject(cls, PTuple.EMPTY);
            case "int", "float", "str", "bytes", "tuple", "frozenset", "complex" ->
                    new PObject(cls, new PTuple(List.of(state)));
            default -> throw DataOnlyHooks.dangerous(offset, "call to " + g.qualified() + " with base "
                    + base.qualified());
        };
        if (base.name().equals("dict") && state != PNone.NONE) {
            if (!(state instanceof PDict d)) {
                throw DataOnlyHooks.error(Reason.UNSUPPORTED, offset, g.qualified() + " of a dict subclass from a "
                        + state.typeName() + " is not supported");
            }
            for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
                keys.charge(e.getKey());
                obj.dictItems().put(e.getKey(), e.getValue());
            }
        } else if (base.name().equals("list") && state != PNone.NONE) {
            obj.listItems().addAll(items(state, offset));
        }
        return obj;
    }

    private static PickleValue one(PGlobal g, PTuple args, long offset) throws CheckpointException {
        arity(g, args, 1, 1, offset);
        return args.get(0);
    }

    /** What iterating a container yields; strings and other iterables are not expanded. */
    private static List<PickleValue> items(PickleValue v, long offset) throws CheckpointException {
        if (v instanceof PList l) {
            return l.items();
        }
        if (v instanceof PTuple t) {
            return t.items();
        }
        List<PickleValue> out = new ArrayList<>();
        if (v instanceof PSet s) {
            s.items().forEach(out::add);
        } else if (v instanceof PDict d) {
            d.entries().forEach(e -> out.add(e.getKey()));
        } else {
            throw DataOnlyHooks.error(Reason.UNSUPPORTED, offset, "iterating a " + v.typeName()
                    + " is not supported here");
        }
        return out;
    }

    private static void arity(PGlobal g, PTuple args, int min, int max, long offset) throws CheckpointException {
        if (args.size() < min || args.size() > max) {
            throw DataOnlyHooks.error(Reason.INVALID, offset, g.qualified() + "() takes " + (min == max ? "" + min
                    : min + " to " + max) + " arguments (" + args.size() + " given)");
        }
    }
}
