package org.pthconvert.pickle;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The inert values a pickle builds here. Nothing in this hierarchy can run code: a class is a
 * {@link PGlobal} name, an object is its class name plus state.
 *
 * <p>The hierarchy is sealed except for {@link PHookValue}, the one door through which a hook adds
 * its own values (torch tensors and storages); the pickle layer knows nothing of them.
 *
 * <p>Containers ({@link PTuple}, {@link PList}, {@link PDict}, {@link PSet}, {@link PObject}) use
 * identity equality and print shallowly, because a hostile pickle can nest them hundreds of
 * thousands deep and a recursive {@code equals}/{@code hashCode}/{@code toString} would overflow
 * the stack. Dict keys are compared through {@link DictKey}, which is depth-bounded.
 */
public sealed interface PickleValue {

    /** Short description for messages: the Python type name. */
    String typeName();

    enum PNone implements PickleValue {
        NONE;

        @Override
        public String typeName() { return "NoneType"; }

        @Override
        public String toString() { return "None"; }
    }

    record PBool(boolean value) implements PickleValue {
        public static final PBool TRUE = new PBool(true);
        public static final PBool FALSE = new PBool(false);

        public static PBool of(boolean b) { return b ? TRUE : FALSE; }

        @Override
        public String typeName() { return "bool"; }

        @Override
        public String toString() { return value ? "True" : "False"; }
    }

    /** Python int of any size. */
    record PInt(BigInteger value) implements PickleValue {
        /**
         * Bits beyond which {@link #toString()} does not print decimal digits (about 4200 digits:
         * CPython refuses to print more than 4300, and the conversion costs quadratic time).
         */
        public static final int MAX_DECIMAL_BITS = 14_000;

        /** Small ints (sizes, strides, offsets, counts) made once: a state dict has several per tensor. */
        private static final PInt[] SMALL = new PInt[1025];

        public static PInt of(long v) {
            if (v >= 0 && v < SMALL.length) {
                PInt p = SMALL[(int) v];
                if (p == null) {
                    p = new PInt(BigInteger.valueOf(v)); // a benign race: any copy is equal
                    SMALL[(int) v] = p;
                }
                return p;
            }
            return new PInt(BigInteger.valueOf(v));
        }

        public boolean fitsLong() { return value.bitLength() < 64; }

        /** The value as a long, or {@link ArithmeticException} if it does not fit. */
        public long longValueExact() { return value.longValueExact(); }

        @Override
        public String typeName() { return "int"; }

        /** Decimal digits, or {@code <int of N bits>} for an int too long to print. */
        @Override
        public String toString() {
            int bits = value.bitLength();
            return bits <= MAX_DECIMAL_BITS ? value.toString() : "<int of " + bits + " bits>";
        }
    }

    record PFloat(double value) implements PickleValue {
        @Override
        public String typeName() { return "float"; }

        /** Python's {@code repr}: {@code 0.1}, {@code 1e-05}, {@code 1.0}, {@code inf}, {@code nan}. */
        @Override
        public String toString() {
            return PickleRepr.pythonFloat(value);
        }
    }

    /**
     * Comparable, so that a dict's map keeps keys whose hashes collide (made to, in a hostile file) in a
     * balanced tree rather than a list ({@link PDict}).
     */
    record PStr(String value) implements PickleValue, Comparable<PStr> {
        public PStr {
            Objects.requireNonNull(value);
        }

        // Written out: a record's generated equals and hashCode spin classes on first use.
        @Override
        public boolean equals(Object o) {
            return o instanceof PStr other && other.value.equals(value);
        }

        @Override
        public int hashCode() { return value.hashCode(); }

        @Override
        public int compareTo(PStr other) { return value.compareTo(other.value); }

        @Override
        public String typeName() { return "str"; }

        @Override
        public String toString() { return value; }
    }

    /** {@code bytes} or {@code bytearray}; the array is never handed out for mutation. */
    final class PBytes implements PickleValue {
        private final byte[] data;
        private final boolean mutable;

        public PBytes(byte[] data, boolean mutable) {
            this.data = data.clone();
            this.mutable = mutable;
        }

        private PBytes(boolean mutable, byte[] owned) {
            this.data = owned;
            this.mutable = mutable;
        }

        /**
         * Takes {@code data} without copying: only for arrays nobody else holds and the caller never
         * touches again (the reader's freshly read payloads: a 1 GiB value is not doubled).
         */
        public static PBytes adopt(byte[] data, boolean mutable) { return new PBytes(mutable, data); }

        /** {@code bytes(b)} / {@code bytearray(b)}: the same bytes, shared (no PBytes hands out its array). */
        public static PBytes sharing(PBytes b, boolean mutable) {
            return !mutable && !b.mutable ? b : new PBytes(mutable, b.data);
        }

        public byte[] data() { return data.clone(); }

        public int length() { return data.length; }

        public boolean isBytearray() { return mutable; }

        @Override
        public String typeName() { return mutable ? "bytearray" : "bytes"; }

        @Override
        public String toString() { return typeName() + "[" + data.length + "]"; }
    }

    /** A {@code module.name} reference made by GLOBAL / STACK_GLOBAL / INST. Never imported. */
    /**
     * A class or function named by GLOBAL/STACK_GLOBAL. A value (equal by module and name); not a
     * record only so that the dotted name, asked for at every call of it, is built once.
     */
    final class PGlobal implements PickleValue {
        private final String module;
        private final String name;
        private final String qualified;

        public PGlobal(String module, String name) {
            this.module = Objects.requireNonNull(module);
            this.name = Objects.requireNonNull(name);
            this.qualified = module + "." + name;
        }

        public String module() { return module; }

        public String name() { return name; }

        public String qualified() { return qualified; }

        @Override
        public boolean equals(Object o) {
            return o instanceof PGlobal g && g.module.equals(module) && g.name.equals(name);
        }

        @Override
        public int hashCode() { return 31 * module.hashCode() + name.hashCode(); }

        @Override
        public String typeName() { return "global"; }

        @Override
        public String toString() { return qualified; }
    }

    final class PTuple implements PickleValue {
        public static final PTuple EMPTY = new PTuple(List.of());

        /** Never changed once made; handed out only as an unmodifiable view. */
        private final PickleValue[] items;
        private List<PickleValue> view;

        public PTuple(List<PickleValue> items) {
            this(items.toArray(new PickleValue[0]));
        }

        private PTuple(PickleValue[] owned) {
            for (PickleValue v : owned) {
                Objects.requireNonNull(v, "tuple item");
            }
            this.items = owned;
        }

        /**
         * A tuple of these values, which it owns from then on (the caller keeps no reference to the
         * array): the unpickler makes several tuples per tensor, and copying each array twice (into
         * a list, then the list's own) was a fifth of what reading a state dict allocated.
         */
        public static PTuple owning(PickleValue... values) {
            return new PTuple(values);
        }

        public List<PickleValue> items() {
            List<PickleValue> v = view;
            if (v == null) {
                v = Collections.unmodifiableList(java.util.Arrays.asList(items));
                view = v;
            }
            return v;
        }

        public int size() { return items.length; }

        public PickleValue get(int i) { return items[i]; }

        @Override
        public String typeName() { return "tuple"; }

        @Override
        public String toString() { return "tuple[" + items.length + "]"; }
    }

    final class PList implements PickleValue {
        private final List<PickleValue> items = new ArrayList<>();

        public List<PickleValue> items() { return items; }

        @Override
        public String typeName() { return "list"; }

        @Override
        public String toString() { return "list[" + items.size() + "]"; }
    }

    /**
     * {@code dict} or {@code collections.OrderedDict}: insertion order is kept for both, as Python
     * does. {@code attributes} holds what BUILD set on an OrderedDict (its {@code _metadata}).
     */
    final class PDict implements PickleValue {
        /**
         * Made on first put, as {@link #attributes} on first use: torch pickles an empty OrderedDict per
         * tensor. A {@link PStr} key is its own map key (Python compares str keys by value only), the
         * entry the value; any other key is filed under its {@link DictKey}, with an entry holding the
         * key first put and the value. A state dict of 100,000 tensors spares a DictKey and an entry
         * object per tensor so.
         */
        private Map<Object, Object> entries;
        private final boolean ordered;
        private Map<String, PickleValue> attributes;

        public PDict(boolean ordered) {
            this.ordered = ordered;
        }

        /** Python's {@code d[key] = value}: a key equal to an earlier one replaces its value in place. */
        public void put(PickleValue key, PickleValue value) {
            if (entries == null) {
                entries = new LinkedHashMap<>();
            }
            if (key instanceof PStr) {
                entries.put(key, value); // an equal key already there stays, as in Python
                return;
            }
            DictKey k = DictKey.of(key);
            Object old = entries.get(k);
            entries.put(k, Map.entry(old == null ? key : entryOf(k, old).getKey(), value));
        }

        public PickleValue get(PickleValue key) {
            if (entries == null) {
                return null;
            }
            if (key instanceof PStr) {
                return (PickleValue) entries.get(key);
            }
            DictKey k = DictKey.of(key);
            Object e = entries.get(k);
            return e == null ? null : entryOf(k, e).getValue();
        }

        public PickleValue get(String key) { return get(new PStr(key)); }

        @SuppressWarnings("unchecked")
        private static Map.Entry<PickleValue, PickleValue> entryOf(DictKey mapKey, Object mapValue) {
            return (Map.Entry<PickleValue, PickleValue>) mapValue;
        }

        /** Entries in insertion order (read-only). */
        @SuppressWarnings("unchecked")
        public Iterable<Map.Entry<PickleValue, PickleValue>> entries() {
            if (entries == null) {
                return List.of();
            }
            Map<Object, Object> map = entries;
            // Classes, not lambdas: a lambda's class is spun at run time where the class-data archive lacks it.
            return new Iterable<>() {
                @Override
                public java.util.Iterator<Map.Entry<PickleValue, PickleValue>> iterator() {
                    java.util.Iterator<Map.Entry<Object, Object>> it = map.entrySet().iterator();
                    return new java.util.Iterator<>() {
                        @Override
                        public boolean hasNext() { return it.hasNext(); }

                        @Override
                        public Map.Entry<PickleValue, PickleValue> next() {
                            Map.Entry<Object, Object> e = it.next();
                            // A str key's map entry is the dict's entry as it is: no copy made per entry.
                            return e.getKey() instanceof PStr ? (Map.Entry<PickleValue, PickleValue>) (Map.Entry<?, ?>) e
                                    : (Map.Entry<PickleValue, PickleValue>) e.getValue();
                        }
                    };
                }
            };
        }

        public int size() { return entries == null ? 0 : entries.size(); }

        public boolean isOrderedDict() { return ordered; }

        /** Attributes BUILD set, in the order it set them (read-only). */
        public Map<String, PickleValue> attributes() {
            return attributes == null ? Map.of() : Collections.unmodifiableMap(attributes);
        }

        /** Python's {@code setattr(d, name, value)}, as BUILD does it. */
        public void setAttribute(String name, PickleValue value) {
            if (attributes == null) {
                attributes = new LinkedHashMap<>();
            }
            attributes.put(name, value);
        }

        @Override
        public String typeName() { return ordered ? "OrderedDict" : "dict"; }

        @Override
        public String toString() { return typeName() + "[" + size() + "]"; }
    }

    /** {@code set} or {@code frozenset}, in insertion order. */
    final class PSet implements PickleValue {
        private final Map<DictKey, PickleValue> items = new LinkedHashMap<>();
        private final boolean frozen;

        public PSet(boolean frozen) {
            this.frozen = frozen;
        }

        public void add(PickleValue v) { items.putIfAbsent(DictKey.of(v), v); }

        public Iterable<PickleValue> items() { return items.values(); }

        public int size() { return items.size(); }

        public boolean contains(PickleValue v) { return items.containsKey(DictKey.of(v)); }

        @Override
        public String typeName() { return frozen ? "frozenset" : "set"; }

        @Override
        public String toString() { return typeName() + "[" + items.size() + "]"; }
    }

    /**
     * An instance of a class that is only named, never imported: made by NEWOBJ, NEWOBJ_EX,
     * {@code copyreg._reconstructor} or an allowlisted constructor, with the state BUILD gave it.
     * For a pickled {@code nn.Module} the state is its {@code __dict__}.
     */
    final class PObject implements PickleValue {
        private final PGlobal type;
        private final PTuple args;
        private PickleValue state;
        private final List<PickleValue> listItems = new ArrayList<>();
        private final PDict dictItems = new PDict(true);

        public PObject(PGlobal type, PTuple args) {
            this.type = type;
            this.args = args;
        }

        public PGlobal type() { return type; }

        public PTuple args() { return args; }

        /** What BUILD passed, or null if it was never built. */
        public PickleValue state() { return state; }

        public void setState(PickleValue s) { this.state = s; }

        /** Items APPEND/APPENDS added (a list subclass). */
        public List<PickleValue> listItems() { return listItems; }

        /** Items SETITEM/SETITEMS added (a dict subclass). */
        public PDict dictItems() { return dictItems; }

        /** The state's entry {@code name} when the state is a dict (or a (dict, slots) pair), else null. */
        public PickleValue attribute(String name) {
            PickleValue s = state;
            if (s instanceof PTuple t && t.size() == 2) {
                PickleValue v = t.get(0) instanceof PDict d ? d.get(name) : null;
                if (v == null && t.get(1) instanceof PDict slots) {
                    v = slots.get(name);
                }
                return v;
            }
            return s instanceof PDict d ? d.get(name) : null;
        }

        @Override
        public String typeName() { return type.qualified(); }

        @Override
        public String toString() { return "<" + type.qualified() + ">"; }
    }

    /**
     * A value a {@code pickle.reader.PickleHooks} implementation built (the torch layer's tensors and storages live
     * in {@code org.pthconvert.torch}). The interpreter treats it as inert: it never looks inside,
     * keys and set members compare it by identity ({@link DictKey}), and it prints as its
     * {@code toString()}. Implementations must be immutable or identity-equal, must not hold other
     * pickle containers they walk recursively in {@code equals}/{@code hashCode}/{@code toString},
     * and must not run anything: the pickle layer's depth and inertness guarantees rely on it.
     */
    non-sealed interface PHookValue extends PickleValue {
    }

    /**
     * A value torch would produce but this tool keeps only by name and arguments (a dtype, a layout,
     * a torch.device, a call recorded while scanning). {@code what} is the global that made it.
     */
    record PSymbol(PGlobal what, PTuple args) implements PickleValue {
        @Override
        public String typeName() { return what.qualified(); }

        @Override
        public String toString() { return args == null ? what.qualified() : what.qualified() + "(...)"; }
    }
}
