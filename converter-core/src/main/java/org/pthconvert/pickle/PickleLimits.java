package org.pthconvert.pickle;

/**
 * Resource limits for one {@link Unpickler#load}. A breach stops loading with
 * {@link org.pthconvert.errors.CheckpointException.Reason#LIMIT} and the opcode's offset; nothing is
 * allocated from a size the file declares before the bytes have actually arrived.
 *
 * <p>There is no nesting-depth limit: nothing in this package recurses over values, so a pickle
 * may nest containers as deep as its size allows.
 *
 * @param maxPickleBytes  bytes one pickle may span, from its first opcode through STOP
 * @param maxStringBytes  length of one str, bytes or bytearray value (and of one text line)
 * @param maxIntBytes     size of one integer: LONG1/LONG4 bytes, or digits of INT/LONG text
 *                        (decimal text is also held to CPython's 4300 digits,
 *                        {@link Unpickler#MAX_DECIMAL_DIGITS})
 * @param maxStackItems   values on the unpickler stack at once, all MARK levels together
 * @param maxMarkDepth    MARKs open at once
 * @param maxMemoEntries  memo size; also the bound on any memo index, so a huge index fails
 *                        instead of allocating
 * @param maxKeyHashWork  total work spent hashing dict keys and set members in one pickle
 *                        (tuple nodes plus bytes / 16), so that a key shared many times or a
 *                        tuple DAG cannot make hashing explode
 * @param maxBuiltBytes   total memory the values of one pickle may take (stack values, memo
 *                        entries, str and bytes payloads, estimated): what bounds a file whose every
 *                        single value is within the limits above; {@link #DEFAULTS} takes half the heap
 */
public record PickleLimits(long maxPickleBytes, int maxStringBytes, int maxIntBytes, int maxStackItems,
                           int maxMarkDepth, long maxMemoEntries, long maxKeyHashWork, long maxBuiltBytes) {

    /** Room for checkpoints with large embedded byte strings, far below what would exhaust a JVM's indexes. */
    public static final PickleLimits DEFAULTS = new PickleLimits(
            8L << 30,       // 8 GiB pickle
            1 << 30,        // 1 GiB per string / bytes value
            64 * 1024,      // 64 KiB per integer (~158,000 decimal digits)
            10_000_000,     // stack values
            1_000_000,      // open MARKs
            50_000_000L,    // memo entries
            5_000_000L,     // key-hash work units (a str or small int key costs 1; ~30 bytes allocated each)
            Math.max(32L << 20, Runtime.getRuntime().maxMemory() / 2)); // half the heap for one pickle's values

    /** Largest Java array the reader will ask for. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    public PickleLimits {
        if (maxPickleBytes <= 0 || maxStringBytes <= 0 || maxIntBytes <= 0 || maxStackItems <= 0
                || maxMarkDepth <= 0 || maxMemoEntries <= 0 || maxKeyHashWork <= 0 || maxBuiltBytes <= 0) {
            throw new IllegalArgumentException("pickle limits must be positive");
        }
        if (maxStringBytes > MAX_ARRAY) {
            throw new IllegalArgumentException("maxStringBytes must be at most " + MAX_ARRAY);
        }
    }

    public PickleLimits withMaxPickleBytes(long v) {
        return new PickleLimits(v, maxStringBytes, maxIntBytes, maxStackItems, maxMarkDepth, maxMemoEntries,
                maxKeyHashWork, maxBuiltBytes);
    }

    public PickleLimits withMaxStringBytes(int v) {
        return new PickleLimits(maxPickleBytes, v, maxIntBytes, maxStackItems, maxMarkDepth, maxMemoEntries,
                maxKeyHashWork, maxBuiltBytes);
    }

    public PickleLimits withMaxStackItems(int v) {
        return new PickleLimits(maxPickleBytes, maxStringBytes, maxIntBytes, v, maxMarkDepth, maxMemoEntries,
                maxKeyHashWork, maxBuiltBytes);
    }

    public PickleLimits withMaxMarkDepth(int v) {
        return new PickleLimits(maxPickleBytes, maxStringBytes, maxIntBytes, maxStackItems, v, maxMemoEntries,
                maxKeyHashWork, maxBuiltBytes);
    }

    public PickleLimits withMaxMemoEntries(long v) {
        return new PickleLimits(maxPickleBytes, maxStringBytes, maxIntBytes, maxStackItems, maxMarkDepth, v,
                maxKeyHashWork, maxBuiltBytes);
    }

    public PickleLimits withMaxKeyHashWork(long v) {
        return new PickleLimits(maxPickleBytes, maxStringBytes, maxIntBytes, maxStackItems, maxMarkDepth,
                maxMemoEntries, v, maxBuiltBytes);
    }

    public PickleLimits withMaxBuiltBytes(long v) {
        return new PickleLimits(maxPickleBytes, maxStringBytes, maxIntBytes, maxStackItems, maxMarkDepth,
                maxMemoEntries, maxKeyHashWork, v);
    }
}
