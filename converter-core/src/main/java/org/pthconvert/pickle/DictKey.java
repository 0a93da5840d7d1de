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
 */
final class DictKey {
    static final int MAX_DEPTH = 32;

    /**
     * Per-process random key of the hash: Java's own String/BigInteger hashes are public, so keys
     * made to collide ("Aa" and "BB" blocks) would turn every insert linear. Unknown to the file, a
     * keyed hash makes such keys cost what ordinary keys cost.
     */
    private static final long SEED = new java.security.SecureRandom().nextLong() | 1L;

    private final Object form;
    private final int hash;

    private DictKey(Object form) {
        this.form = form;
        this.hash = (int) mix(keyed(form));
    }

    private static long keyed(Object form) {
        if (form instanceof String s) {
            long h = SEED ^ s.length();
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ s.charAt(i)) * 0x9E3779B97F4A7C15L;
                h ^= h >>> 29;
            }
            return h;
        }
        if (form instanceof java.math.BigInteger b) {
            long h = SEED ^ 0x51;
            for (byte x : b.toByteArray()) {
                h = (h ^ (x & 0xff)) * 0x9E3779B97F4A7C15L;
                h ^= h >>> 29;
            }
            return h;
        }
        if (form instanceof List<?> parts) {
            long h = SEED ^ 0x7b ^ parts.size();
            for (Object p : parts) {
                h = (h ^ keyed(p)) * 0xC2B2AE3D27D4EB4FL;
                h ^= h >>> 31;
            }
            return h;
        }
        if (form instanceof Double d) {
            return (SEED ^ Double.doubleToLongBits(d)) * 0xC2B2AE3D27D4EB4FL;
        }
        // None, identities, tags: few and not chosen by the file
        return (SEED ^ form.hashCode()) * 0xC2B2AE3D27D4EB4FL;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h ^ (h >>> 32);
    }

    static DictKey of(PickleValue v) {
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
        return hash;
    }
}
