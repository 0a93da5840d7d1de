package org.pthconvert.pickle;

import java.util.ArrayList;
import java.util.List;

import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * Python hash-equality for dict keys and set members: strings, numbers, None, globals and tuples of
 * them compare by value (True == 1 == 1.0, as in Python); anything else by identity. Tuples deeper
 * than {@link #MAX_DEPTH} compare by identity, which keeps hashing bounded on hostile input.
 * Public for the reader's key-cost guard ({@code pickle.reader.KeyGuard}), which walks keys to the
 * same depth.
 */
public final class DictKey implements Comparable<DictKey> {
    public static final int MAX_DEPTH = 32;

    private final Object form;

    private DictKey(Object form) {
        this.form = form;
    }

    public static DictKey of(PickleValue v) {
        return new DictKey(form(v, 0));
    }

    private static Object form(PickleValue v, int depth) {
        if (v instanceof PStr s) {
            return s.value();
        }
        if (v instanceof PInt i) {
            return i.value();
        }
        if (v instanceof PBool b) {
            return java.math.BigInteger.valueOf(b.value() ? 1 : 0);
        }
        if (v instanceof PFloat f) {
            double d = f.value();
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.0e18) {
                return java.math.BigInteger.valueOf((long) d);
            }
            return d;
        }
        if (v == PNone.NONE) {
            return PNone.NONE;
        }
        if (v instanceof PGlobal g) {
            return List.of(GlobalTag.TAG, g.module(), g.name());
        }
        if (v instanceof PBytes b) {
            return List.of("bytes", java.util.HexFormat.of().formatHex(b.data()));
        }
        if (v instanceof PTuple t && depth < MAX_DEPTH) {
            List<Object> parts = new ArrayList<>(t.size() + 1);
            parts.add(TupleTag.TAG);
            for (PickleValue item : t.items()) {
                parts.add(form(item, depth + 1));
            }
            return parts;
        }
        return new Identity(v);
    }

    private enum TupleTag { TAG }

    private enum GlobalTag { TAG }

    private record Identity(PickleValue value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Identity other && other.value == value;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DictKey other && form.equals(other.form);
    }

    @Override
    public int hashCode() {
        return form.hashCode();
    }

    /**
     * A total order consistent with {@link #equals} (identities aside): Java's String and BigInteger
     * hashes are public, so keys made to collide ("Aa" and "BB" blocks) would make every insert
     * linear; with comparable keys a HashMap keeps a colliding bucket as a balanced tree, and such
     * keys cost a logarithm, not a scan.
     */
    @Override
    public int compareTo(DictKey other) {
        return compareForms(form, other.form);
    }

    private static int rank(Object f) {
        if (f instanceof String) {
            return 0;
        }
        if (f instanceof java.math.BigInteger) {
            return 1;
        }
        if (f instanceof Double) {
            return 2;
        }
        if (f instanceof List) {
            return 3;
        }
        return f instanceof Identity ? 5 : 4;
    }

    private static int compareForms(Object a, Object b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        if (a instanceof String x) {
            return x.compareTo((String) b);
        }
        if (a instanceof java.math.BigInteger x) {
            return x.compareTo((java.math.BigInteger) b);
        }
        if (a instanceof Double x) {
            return x.compareTo((Double) b);
        }
        if (a instanceof List<?> x) {
            List<?> y = (List<?>) b;
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                int c = compareForms(x.get(i), y.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Identity x) {
            return Integer.compare(System.identityHashCode(x.value()), System.identityHashCode(((Identity) b).value()));
        }
        return a.equals(b) ? 0 : (a.getClass().getName() + a).compareTo(b.getClass().getName() + b); // None, tags
    }
}
