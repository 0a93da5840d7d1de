package org.pthconvert.pickle.reader;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue;

/**
 * The pickle memo. Picklers number entries 0, 1, 2, ..., which a dense list stores cheaply; the
 * format allows any index, so indices far beyond what has been stored go to a map instead of
 * growing the list (a lone {@code LONG_BINPUT 2**31} costs one map entry, not a 2**31 array).
 */
final class Memo {
    private static final int SLACK = 1024;

    private final long maxEntries;
    private final ArrayList<PickleValue> dense = new ArrayList<>();
    private final Map<Long, PickleValue> sparse = new HashMap<>();
    private long size;

    private final MemoryBudget budget;
    /**
     * The indices worth storing ({@link MemoUse}), or null for all; and the indices stored in name
     * only (counted, charged, not held). A state dict of 100,000 tensors stores 700,000 entries, and
     * each is looked up in both.
     */
    private final Bitmap keep;
    private final Bitmap dropped = new Bitmap();

    Memo(long maxEntries, MemoryBudget budget) {
        this(maxEntries, budget, null);
    }

    /** A memo that holds only the entries {@code keep} names (null: all), counting the others. */
    Memo(long maxEntries, MemoryBudget budget, BitSet keep) {
        this.maxEntries = maxEntries;
        this.budget = budget;
        this.keep = keep == null ? null : Bitmap.of(keep);
    }

    /** Entries stored: what MEMOIZE uses as the next index, as Python's {@code len(memo)}. */
    long size() { return size; }

    /**
     * The value at {@code index}, or null if nothing was stored there.
     *
     * @throws MemoUse.Missed if it was stored but not held, because the walk said it is never read
     */
    PickleValue get(long index) {
        PickleValue v = peek(index);
        if (v == null && index >= 0 && index < MemoUse.MAX_INDEX && dropped.get(index)) {
            throw new MemoUse.Missed(index);
        }
        return v;
    }

    /** The value at {@code index} when one is held there, else null: never an error. */
    PickleValue peek(long index) {
        if (index >= 0 && index < dense.size()) {
            PickleValue v = dense.get((int) index);
            if (v != null) {
                return v;
            }
        }
        return sparse.isEmpty() ? null : sparse.get(index);
    }

    /** Whether {@link #put} takes this index (rather than refusing it as negative or over the limit). */
    boolean accepts(long index) {
        return index >= 0 && index < maxEntries;
    }

    void put(long index, PickleValue value) throws CheckpointException {
        if (index < 0) {
            throw PickleInput.error(Reason.INVALID, "negative memo index " + index);
        }
        if (index >= maxEntries) {
            throw PickleInput.error(Reason.LIMIT, "memo index " + index + " exceeds the limit of " + maxEntries);
        }
        budget.charge(MemoryBudget.PER_MEMO_ENTRY, "memo entries");
        if (keep != null && index < MemoUse.MAX_INDEX && !keep.get(index)) {
            if (!dropped.get(index)) {
                dropped.set(index);
                size++;
            }
            return;
        }
        if (!sparse.isEmpty() && sparse.containsKey(index)) {
            sparse.put(index, value);
            return;
        }
        if (index < dense.size()) {
            if (dense.set((int) index, value) == null) {
                size++;
            }
            return;
        }
        // Grow the list only while it stays proportional to what is really stored.
        if (index < 2 * size + SLACK && index < Integer.MAX_VALUE - 16) {
            while (dense.size() < index) {
                dense.add(null);
            }
            dense.add(value);
        } else {
            sparse.put(index, value);
        }
        size++;
    }
}
