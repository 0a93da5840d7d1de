package org.pthconvert.pickle.reader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * The unpickler's value stack with its MARKs. As in CPython, values below the topmost MARK are out
 * of reach: an opcode that would pop through a MARK is a stack underflow, not a silent read of the
 * enclosing level.
 */
final class PickleStack {
    private final int maxItems;
    private final int maxMarks;
    private final ArrayList<PickleValue> items = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;

    private final MemoryBudget budget;

    PickleStack(int maxItems, int maxMarks, MemoryBudget budget) {
        this.budget = budget;
        this.maxItems = maxItems;
        this.maxMarks = maxMarks;
    }

    void push(PickleValue v) throws CheckpointException {
        if (items.size() >= maxItems) {
            throw PickleInput.error(Reason.LIMIT, "more than " + maxItems + " values on the stack");
        }
        budget.charge(MemoryBudget.PER_VALUE, "values");
        items.add(v);
    }

    /** Whether {@code values} more pushes and {@code marks} more MARKs fit within the limits. */
    boolean hasRoom(int values, int marks) {
        return items.size() + (long) values <= maxItems && markCount + (long) marks <= maxMarks;
    }

    PickleValue pop() throws CheckpointException {
        requireAboveMark(1);
        return items.remove(items.size() - 1);
    }

    /** The value {@code depth} places from the top (0 = top), which must lie above the topmost MARK. */
    PickleValue peek(int depth) throws CheckpointException {
        requireAboveMark(depth + 1);
        return items.get(items.size() - 1 - depth);
    }

    void replaceTop(PickleValue v) throws CheckpointException {
        requireAboveMark(1);
        items.set(items.size() - 1, v);
    }

    /** Values above the topmost MARK. */
    int aboveMark() {
        return items.size() - fence();
    }

    void mark() throws CheckpointException {
        if (markCount >= maxMarks) {
            throw PickleInput.error(Reason.LIMIT, "more than " + maxMarks + " MARKs open at once");
        }
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, (int) Math.min(maxMarks, 2L * marks.length));
        }
        marks[markCount++] = items.size();
    }

    boolean hasMark() {
        return markCount > 0;
    }

    /**
     * The value just below the topmost MARK: the container APPENDS, SETITEMS and ADDITEMS fill.
     * It must itself lie above the MARK before, as CPython requires.
     */
    PickleValue belowMark() throws CheckpointException {
        if (markCount == 0) {
            throw PickleInput.error(Reason.INVALID, "no MARK on the stack");
        }
        int mark = marks[markCount - 1];
        int outer = markCount > 1 ? marks[markCount - 2] : 0;
        if (mark - outer < 1) {
            throw PickleInput.error(Reason.INVALID, "stack underflow: no container below the MARK");
        }
        return items.get(mark - 1);
    }

    /**
     * Pops the topmost MARK and returns where the values above it start. They stay on the stack, as
     * {@link #marked} shows them, until {@link #dropMarked} removes them. (Not a callback: the start
     * path links no lambda; README, "Start-up".)
     */
    int popMark() throws CheckpointException {
        if (markCount == 0) {
            throw PickleInput.error(Reason.INVALID, "no MARK on the stack");
        }
        return marks[--markCount];
    }

    /** The values from {@code start} (what {@link #popMark} returned) up, oldest first, as a view. */
    List<PickleValue> marked(int start) {
        return items.subList(start, items.size());
    }

    /** Removes the values from {@code start} up. */
    void dropMarked(int start) {
        items.subList(start, items.size()).clear();
    }

    /**
     * Pops the topmost MARK and the values above it as one tuple, copied once; a state dict has a
     * MARK ... TUPLE per tensor and one per storage.
     */
    PTuple popMarkTuple() throws CheckpointException {
        int start = popMark();
        int n = items.size() - start;
        PickleValue[] values = new PickleValue[n];
        for (int i = n - 1; i >= 0; i--) {
            values[i] = items.remove(start + i);   // from the top down: each removal is the last element
        }
        return PTuple.owning(values);
    }

    private int fence() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void requireAboveMark(int n) throws CheckpointException {
        if (items.size() - fence() < n) {
            throw PickleInput.error(Reason.INVALID, markCount > 0 && items.size() >= n
                    ? "stack underflow: the values needed lie below a MARK"
                    : "stack underflow: needs " + n + " value" + (n == 1 ? "" : "s") + " on the stack");
        }
    }
}
