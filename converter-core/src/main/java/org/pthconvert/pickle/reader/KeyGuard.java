package org.pthconvert.pickle.reader;

import java.util.ArrayDeque;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.DictKey;

/**
 * Checks a value before it becomes a dict key or set member. Python refuses unhashable keys (lists,
 * dicts, sets, bytearrays, also inside tuples); and {@link DictKey} rebuilds a key's form on every
 * use, walking tuples to depth {@link DictKey#MAX_DEPTH} without sharing, so a tuple DAG
 * {@code t(n+1) = (t(n), t(n))} of 30 levels would cost 2**30 steps per lookup. This walk mirrors
 * {@link DictKey}'s, stops at a budget, and charges every key to a per-pickle total.
 */
final class KeyGuard {
    /** Work one key may cost; real keys (strings, ints, small tuples) cost a handful. */
    static final long MAX_PER_KEY = 10_000;

    private final long maxTotal;
    private long total;

    KeyGuard(long maxTotal) {
        this.maxTotal = maxTotal;
    }

    /** Checks {@code key} and charges its hashing cost to this pickle's budget. */
    void charge(PickleValue key) throws CheckpointException {
        total += cost(key);
        if (total > maxTotal) {
            throw PickleInput.error(Reason.LIMIT, "dict keys and set members cost more than " + maxTotal
                    + " units to hash (huge or deeply shared keys)");
        }
    }

    /** The work hashing {@code key} takes; throws for unhashable keys or keys over {@link #MAX_PER_KEY}. */
    static long cost(PickleValue key) throws CheckpointException {
        if (!(key instanceof PTuple)) {
            return 1 + scalarCost(key); // the common case, without allocating a walk
        }
        ArrayDeque<PickleValue> todo = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        todo.push(key);
        depths.push(0);
        long cost = 0;
        while (!todo.isEmpty()) {
            PickleValue v = todo.pop();
            int depth = depths.pop();
            cost += 1;
            if (v instanceof PTuple t && depth < DictKey.MAX_DEPTH) {
                cost += t.size();
                if (cost > MAX_PER_KEY) {
                    break;
                }
                for (PickleValue item : t.items()) {
                    todo.push(item);
                    depths.push(depth + 1);
                }
            } else {
                cost += scalarCost(v);
            }
            if (cost > MAX_PER_KEY) {
                break;
            }
        }
        if (cost > MAX_PER_KEY) {
            throw PickleInput.error(Reason.LIMIT, "a dict key or set member costs more than " + MAX_PER_KEY
                    + " units to hash (a huge or deeply shared tuple)");
        }
        return cost;
    }

    /** What hashing a non-tuple costs beyond one unit ({@link DictKey} copies bytes to hex each time). */
    private static long scalarCost(PickleValue v) throws CheckpointException {
        if (v instanceof PList || v instanceof PDict || v instanceof PSet s && !s.typeName().equals("frozenset")
                || v instanceof PBytes b && b.isBytearray()) {
            throw PickleInput.error(Reason.INVALID, "unhashable type: '" + v.typeName() + "' used as a dict key"
                    + " or set member");
        }
        if (v instanceof PStr s) {
            return s.value().length() >> 10;
        }
        if (v instanceof PBytes b) {
            return b.length() >> 4;
        }
        if (v instanceof PInt i) {
            return i.value().bitLength() >> 11;
        }
        return 0;
    }
}
