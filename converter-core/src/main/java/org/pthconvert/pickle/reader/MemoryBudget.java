package org.pthconvert.pickle.reader;

import org.pthconvert.errors.CheckpointException.Reason;

/**
 * The total memory one pickle may make the reader hold: every value pushed, every memo entry, every
 * str and bytes payload is charged before it is allocated. Per-value limits alone add up to more than
 * any heap (a sub-megabyte deflated record can hold 100 million APPENDs, 40 million MEMOIZEs or three
 * 200 MiB BINBYTES8), so such a file is refused as over a limit instead of ending in OutOfMemoryError.
 * Charges are estimates on the high side of what the values cost; nothing is refunded on POP.
 */
final class MemoryBudget {
    /** What a value reference on the stack (or in the container it ends in) costs. */
    static final long PER_VALUE = 8;
    /** What one memo entry costs (slot plus boxing). */
    static final long PER_MEMO_ENTRY = 16;

    private final long max;
    private long used;

    MemoryBudget(long max) {
        this.max = max;
    }

    void charge(long bytes, String what) throws org.pthconvert.errors.CheckpointException {
        used += bytes;
        if (used > max || used < 0) {
            throw PickleInput.error(Reason.LIMIT, "the pickle would build more than " + (max >> 20)
                    + " MiB of values (" + what + "; the limit follows the Java heap, -Xmx)");
        }
    }

    long used() { return used; }

    /** Whether charging {@code bytes} more would stay within the budget. */
    boolean fits(long bytes) {
        return bytes >= 0 && bytes <= max - used;
    }
}
