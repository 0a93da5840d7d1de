package org.pthconvert.pickle.reader;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A growing set of small non-negative indices as plain words: the memo walk and the memo look one up
 * per BINGET and BINPUT (a state dict of 100,000 tensors has 1.2 million of them), where a
 * {@link BitSet}'s checks and calls were a tenth of reading it.
 */
final class Bitmap {
    private long[] words;

    Bitmap() {
        this.words = new long[16];
    }

    private Bitmap(long[] words) {
        this.words = words;
    }

    static Bitmap of(BitSet bits) {
        return new Bitmap(bits.toLongArray());
    }

    /** Whether {@code index} (0 to {@link Integer#MAX_VALUE}) is in the set. */
    boolean get(long index) {
        int w = (int) (index >>> 6);
        return w < words.length && (words[w] & (1L << index)) != 0;
    }

    /** Adds {@code index} (0 to {@link Integer#MAX_VALUE}), growing the words as needed. */
    void set(long index) {
        int w = (int) (index >>> 6);
        if (w >= words.length) {
            words = Arrays.copyOf(words, Math.max(w + 1, 2 * words.length));
        }
        words[w] |= 1L << index;
    }

    BitSet toBitSet() {
        return BitSet.valueOf(words);
    }
}
