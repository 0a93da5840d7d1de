package org.pthconvert.pickle.reader;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * The run of about 28 opcodes that torch's pickler writes for each tensor of a state dict, done in
 * one step with the same effect as doing them one by one: the same hook calls with equal arguments
 * in the same order, the same memo entries, the same memory charged, the same errors at the same
 * offsets. The run, after a BINGET of a memoized global {@code f}, is
 * <pre>
 *   MARK MARK BINGET('storage') BINGET(storage class) BINUNICODE(key) [BINPUT] BINGET(location)
 *   int(numel) TUPLE [BINPUT] BINPERSID int(offset) tuple(size) [BINPUT] tuple(stride) [BINPUT]
 *   NEWFALSE|NEWTRUE BINGET(g) EMPTY_TUPLE REDUCE [BINPUT] TUPLE [BINPUT] REDUCE [BINPUT]
 * </pre>
 * that is {@code f(persistent_load(('storage', cls, key, location, numel)), offset, size, stride,
 * requires_grad, g())}; ints are BININT1, BININT2 or BININT, a tuple is EMPTY_TUPLE, TUPLE1-3 or
 * MARK ... TUPLE of ints, and BINPUT may also be LONG_BINPUT. (A state dict of 100,000 tensors is
 * 3 million opcodes: one by one, each pushed, popped, charged and checked, they were most of the time
 * it took to read.)
 *
 * <p>Anything else, or a run whose effect one step could not match exactly, is left to the opcodes
 * one by one: the bytes are first read into locals without any effect, and the run is refused unless
 * it is whole within the input's buffer, every BINGET finds its entry (the memo's own answer, which
 * only the step-by-step path turns into an error), no BINGET reads an entry the run itself stores,
 * every BINPUT index is within the memo's limit, and the stack, the MARKs and the memory budget have
 * room for all of it. Only then does it act; from there on only a hook can fail, and the offset and
 * opcode of that failure are those the step-by-step path would report.
 */
final class TensorRun {
    /** Longest run taken in one step: a key of up to {@link PickleInput#SHORT_TEXT} bytes and ranks up to 8. */
    static final int WINDOW = 512;
    private static final int MAX_RANK = 8;
    /**
     * Values the run has on the stack at most at once (the callable, the storage, the offset, the size
     * tuple and a stride of {@link #MAX_RANK} ints), and MARKs it has open at most at once.
     */
    private static final int STACK_ROOM = 4 + MAX_RANK;
    private static final int MARK_ROOM = 2;

    // The opcodes of a run, as ints for plain comparisons with the buffer's bytes.
    private static final int MARK = Opcode.MARK.code();
    private static final int BINGET = Opcode.BINGET.code();
    private static final int LONG_BINGET = Opcode.LONG_BINGET.code();
    private static final int BINPUT = Opcode.BINPUT.code();
    private static final int LONG_BINPUT = Opcode.LONG_BINPUT.code();
    private static final int BINUNICODE = Opcode.BINUNICODE.code();
    private static final int BININT = Opcode.BININT.code();
    private static final int BININT1 = Opcode.BININT1.code();
    private static final int BININT2 = Opcode.BININT2.code();
    private static final int TUPLE = Opcode.TUPLE.code();
    private static final int TUPLE1 = Opcode.TUPLE1.code();
    private static final int TUPLE2 = Opcode.TUPLE2.code();
    private static final int TUPLE3 = Opcode.TUPLE3.code();
    private static final int EMPTY_TUPLE = Opcode.EMPTY_TUPLE.code();
    private static final int BINPERSID = Opcode.BINPERSID.code();
    private static final int NEWTRUE = Opcode.NEWTRUE.code();
    private static final int NEWFALSE = Opcode.NEWFALSE.code();
    private static final int REDUCE = Opcode.REDUCE.code();

    private final PickleInput input;
    private final Memo memo;
    private final PickleStack stack;
    private final MemoryBudget budget;
    private final PickleHooks hooks;
    private final PickleLimits limits;
    private final Unpickler owner;

    /** The parse's cursor in the input's buffer, and where the buffered bytes end. */
    private byte[] buf;
    private int p;
    private int end;
    private boolean ok;
    /** Stack pushes and payload bytes the run charges, as the opcodes one by one would. */
    private long charged;
    /** What the memo charges for the run's BINPUTs. */
    private long putCharges;
    /** The length of the key {@link #text} read. */
    private int keyLength;
    /** The index the last {@link #get} read. */
    private long gotIndex;
    /** Memo indices the run stores (-1: no BINPUT there), in order. */
    private final long[] puts = new long[7];
    private final long[] sizeDims = new long[MAX_RANK];
    private final long[] strideDims = new long[MAX_RANK];
    private int sizeRank;
    private int strideRank;
    private final byte[] keyBytes = new byte[PickleInput.SHORT_TEXT];
    /** Runs done in one step. */
    private int taken;

    TensorRun(Unpickler owner, PickleInput input, Memo memo, PickleStack stack, MemoryBudget budget,
              PickleHooks hooks, PickleLimits limits) {
        this.owner = owner;
        this.input = input;
        this.memo = memo;
        this.stack = stack;
        this.budget = budget;
        this.hooks = hooks;
        this.limits = limits;
    }

    /**
     * Called after a BINGET or LONG_BINGET whose argument has been read, with the value it names:
     * does the whole run and returns true, or does nothing and returns false.
     */
    boolean tryRun(PickleValue callable) throws java.io.IOException, CheckpointException {
        if (!(callable instanceof PGlobal)) {
            return false;
        }
        int window = input.window(WINDOW);
        buf = input.buffer();
        int start = input.bufferAt();
        if (window < 2 || buf[start] != MARK || buf[start + 1] != MARK) {
            return false;
        }
        end = start + window;
        p = start + 2;
        ok = true;
        charged = MemoryBudget.PER_VALUE; // the callable's own push
        putCharges = 0;
        java.util.Arrays.fill(puts, -1);

        // Each step below reads on only while the run still matches (ok); the first mismatch ends it.
        PickleValue storageTag = get();
        PickleValue storageClass = get();
        int keyAt = text();
        put(0);
        PickleValue location = get();
        long locationIndex = gotIndex;
        long numel = integer();
        pushing(TUPLE);
        put(1);
        int persidAt = p;
        pushing(BINPERSID);
        long offset = integer();
        sizeRank = tuple(sizeDims);
        put(2);
        strideRank = tuple(strideDims);
        put(3);
        int flag = next();
        ok &= flag == NEWFALSE || flag == NEWTRUE;
        charged += MemoryBudget.PER_VALUE;
        PickleValue hooksCallable = get();
        long hooksIndex = gotIndex;
        pushing(EMPTY_TUPLE);
        int firstReduceAt = p;
        expect(REDUCE);
        put(4);
        pushing(TUPLE);
        put(5);
        int reduceAt = p;
        expect(REDUCE);
        put(6);
        if (!ok || sizeRank < 0 || strideRank < 0) {
            return false;
        }
        // The entries read must be there now and stay so: none is one the run itself stores.
        if (storageTag == null || storageClass == null || location == null || hooksCallable == null
                || stored(locationIndex) || stored(hooksIndex)) {
            return false;
        }
        for (long index : puts) {
            if (index >= 0 && !memo.accepts(index)) {
                return false;
            }
        }
        if (!stack.hasRoom(STACK_ROOM, MARK_ROOM) || !budget.fits(charged + putCharges)) {
            return false;
        }
        String key = TextForms.utf8(copyKey(keyAt, keyLength), keyLength, true);
        if (key == null) {
            return false;
        }
        act(callable, storageTag, storageClass, key, location, numel, offset, flag == NEWTRUE, hooksCallable,
                start, persidAt, firstReduceAt, reduceAt);
        return true;
    }

    private void act(PickleValue callable, PickleValue storageTag, PickleValue storageClass, String key,
                     PickleValue location, long numel, long offset, boolean grad, PickleValue hooksCallable,
                     int start, int persidAt, int firstReduceAt, int reduceAt) throws CheckpointException {
        long base = input.position() - start; // the input position of buffer[0]
        int length = p - start;
        // The run's bytes are consumed before any effect, as the opcodes one by one would have read
        // them; the budget is charged (it was checked to fit) less the push of the result below.
        input.skip(length);
        budget.charge(charged - MemoryBudget.PER_VALUE, "values");
        PStr keyStr = new PStr(key);
        memoPut(0, keyStr);
        PTuple id = PTuple.owning(storageTag, storageClass, keyStr, location, PInt.of(numel));
        memoPut(1, id);
        owner.at(Opcode.BINPERSID, base + persidAt);
        PickleValue storage = ObjectOpcodes.result(hooks.persistentLoad(id, owner.opOffset()),
                "persistentLoad");
        PTuple size = tupleOf(sizeDims, sizeRank);
        memoPut(2, size);
        PTuple stride = tupleOf(strideDims, strideRank);
        memoPut(3, stride);
        owner.at(Opcode.REDUCE, base + firstReduceAt);
        PickleValue hookDict = ObjectOpcodes.result(hooks.call(hooksCallable, PTuple.EMPTY, owner.opOffset()),
                "call");
        memoPut(4, hookDict);
        PTuple args = PTuple.owning(storage, PInt.of(offset), size, stride, PBool.of(grad), hookDict);
        memoPut(5, args);
        owner.at(Opcode.REDUCE, base + reduceAt);
        PickleValue tensor = ObjectOpcodes.result(hooks.call(callable, args, owner.opOffset()), "call");
        memoPut(6, tensor);
        stack.push(tensor);
        taken++;
    }

    int taken() {
        return taken;
    }

    private void memoPut(int slot, PickleValue v) throws CheckpointException {
        if (puts[slot] >= 0) {
            memo.put(puts[slot], v);
        }
    }

    private static PTuple tupleOf(long[] dims, int rank) {
        if (rank == 0) {
            return PTuple.EMPTY;
        }
        PickleValue[] items = new PickleValue[rank];
        for (int i = 0; i < rank; i++) {
            items[i] = PInt.of(dims[i]);
        }
        return PTuple.owning(items);
    }

    private byte[] copyKey(int at, int length) {
        System.arraycopy(buf, at, keyBytes, 0, length);
        return keyBytes;
    }

    private boolean stored(long index) {
        if (index < 0) {
            return false;
        }
        for (long put : puts) {
            if (put == index) {
                return true;
            }
        }
        return false;
    }

    // --- parsing: reads the buffer only; a mismatch clears ok ---

    private int next() {
        if (!ok || p >= end) {
            ok = false;
            return -1;
        }
        return buf[p++] & 0xff;
    }

    private void expect(int code) {
        if (next() != code) {
            ok = false;
        }
    }

    /** An opcode that pushes one value (a tuple, a persistent load's result, an empty tuple). */
    private void pushing(int code) {
        expect(code);
        charged += MemoryBudget.PER_VALUE;
    }

    /** BINUNICODE of at most {@link PickleInput#SHORT_TEXT} bytes: where its bytes start ({@link #keyLength}). */
    private int text() {
        expect(BINUNICODE);
        if (!ok || end - p < 4) {
            ok = false;
            return -1;
        }
        long length = PickleInput.u32(buf, p);
        p += 4;
        if (length > PickleInput.SHORT_TEXT || length > limits.maxStringBytes() || end - p < length) {
            ok = false;
            return -1;
        }
        int at = p;
        keyLength = (int) length;
        p += keyLength;
        charged += MemoryBudget.PER_VALUE + 3 * length; // payload, then the decoded String beside it
        return at;
    }

    /** BINGET or LONG_BINGET: the value the memo holds there, or null (then the run is not taken). */
    private PickleValue get() {
        int code = next();
        long index;
        if (code == BINGET && end - p >= 1) {
            index = buf[p++] & 0xff;
        } else if (code == LONG_BINGET && end - p >= 4) {
            index = PickleInput.u32(buf, p);
            p += 4;
        } else {
            ok = false;
            return null;
        }
        charged += MemoryBudget.PER_VALUE;
        gotIndex = index;
        return memo.peek(index);
    }

    /** An optional BINPUT or LONG_BINPUT after a value, into {@code puts[slot]}. */
    private void put(int slot) {
        if (!ok || p >= end) {
            ok = false;
            return;
        }
        int code = buf[p] & 0xff;
        if (code == BINPUT && end - p >= 2) {
            puts[slot] = buf[p + 1] & 0xff;
            p += 2;
        } else if (code == LONG_BINPUT && end - p >= 5) {
            puts[slot] = PickleInput.u32(buf, p + 1);
            p += 5;
        } else {
            return;
        }
        putCharges += MemoryBudget.PER_MEMO_ENTRY; // charged by the memo itself as each is stored
    }

    /** BININT1, BININT2 or BININT, as a value pushed. */
    private long integer() {
        int code = next();
        long v;
        if (code == BININT1 && end - p >= 1) {
            v = buf[p++] & 0xff;
        } else if (code == BININT2 && end - p >= 2) {
            v = (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8;
            p += 2;
        } else if (code == BININT && end - p >= 4) {
            v = PickleInput.s32(buf, p);
            p += 4;
        } else {
            ok = false;
            return 0;
        }
        charged += MemoryBudget.PER_VALUE;
        return v;
    }

    /** A tuple of ints into {@code dims}: its rank, or -1. */
    private int tuple(long[] dims) {
        int code = next();
        if (code == EMPTY_TUPLE) {
            charged += MemoryBudget.PER_VALUE;
            return 0;
        }
        int n = 0;
        boolean marked = code == MARK;
        if (!marked) {
            p--; // the first int's opcode
        }
        while (ok && p < end) {
            int c = buf[p] & 0xff;
            if (c == BININT1 || c == BININT2 || c == BININT) {
                if (n == MAX_RANK) {
                    ok = false;
                    return -1;
                }
                dims[n++] = integer();
                continue;
            }
            p++;
            boolean closes = marked ? c == TUPLE : (c == TUPLE1 && n == 1 || c == TUPLE2 && n == 2 || c == TUPLE3 && n == 3);
            if (!closes) {
                ok = false;
                return -1;
            }
            charged += MemoryBudget.PER_VALUE;
            return n;
        }
        ok = false;
        return -1;
    }
}
