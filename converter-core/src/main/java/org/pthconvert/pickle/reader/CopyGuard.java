package org.pthconvert.pickle.reader;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;

/**
 * Bounds the work of calls that copy their arguments ({@code list(x)}, {@code set(x)},
 * {@code OrderedDict(d)}, {@code _codecs.encode(s)}, an OrderedDict's BUILD state, ...). Copying a
 * value once costs about what building it from the pickle did, so the first copy of each value is
 * free; but through the memo one five-byte REDUCE can copy the same 100,000-item list again and
 * again, so every further copy of a value already copied is charged, by its size (items, or
 * characters / 16 for a str that is encoded), against a per-pickle budget; past it the pickle is
 * refused as {@link Reason#LIMIT}.
 */
final class CopyGuard {
    /** Units of repeated copying one pickle may cost: about a second of work, a few hundred MB at most. */
    static final long DEFAULT_BUDGET = 20_000_000L;

    private final long budget;
    private final Map<PickleValue, Boolean> copied = new IdentityHashMap<>();
    private long spent;

    CopyGuard(long budget) {
        this.budget = budget;
    }

    /** Charges a copy of every argument of {@code args} (the tuple itself is new, its items may be shared). */
    void chargeArguments(PTuple args, long offset) throws CheckpointException {
        List<PickleValue> items = args.items();
        for (int i = 0; i < items.size(); i++) {   // by index: an iterator per call is an object per tensor
            charge(items.get(i), offset);
        }
    }

    /** Charges one copy of {@code v}: free the first time, its size every time after. */
    void charge(PickleValue v, long offset) throws CheckpointException {
        long size = size(v);
        if (size <= 8) {
            return; // scalars and small values: bounded by the opcode that copies them
        }
        if (copied.putIfAbsent(v, Boolean.TRUE) == null) {
            return;
        }
        spent += size;
        if (spent > budget) {
            throw DataOnlyHooks.error(Reason.LIMIT, offset, "the pickle copies the same values over and over (more"
                    + " than " + budget + " units of repeated copying; each copy of a " + v.typeName() + " costs "
                    + size + ")");
        }
    }

    private static long size(PickleValue v) {
        if (v instanceof PList l) {
            return l.items().size();
        }
        if (v instanceof PTuple t) {
            return t.size();
        }
        if (v instanceof PDict d) {
            return d.size() + d.attributes().size();
        }
        if (v instanceof PSet s) {
            return s.size();
        }
        if (v instanceof PBytes) {
            return 0; // bytes(b) and bytearray(b) share b's immutable array: nothing is copied
        }
        if (v instanceof PStr s) {
            return s.value().length() >> 4;
        }
        if (v instanceof PObject o) {
            return o.listItems().size() + o.dictItems().size();
        }
        return 0;
    }
}
