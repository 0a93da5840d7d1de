package org.pthconvert.pickle.reader;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.BitSet;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;

/**
 * Reads one pickle (protocols 0-5) into inert {@link PickleValue}s. It never imports, loads classes
 * or calls anything: whatever would reach outside plain data (globals, calls, object creation,
 * persistent ids) goes to the {@link PickleHooks}, which decide by name what stands for it.
 *
 * <p>The machine is a loop over opcodes with an explicit stack, so a pickle nested 200,000 deep
 * costs heap, never Java stack. Every error is a {@link CheckpointException} naming the record, the
 * opcode's byte offset and the opcode: {@code archive/data.pkl @0x1a3: BINGET: memo index 7 was
 * never stored}.
 *
 * <p>It reads its stream ahead, so after {@link #load} the stream may be past the pickle's end;
 * {@link #bytesConsumed()} says where that end is (through STOP). Open the stream anew to read on.
 */
public final class Unpickler {
    /** CPython's default {@code sys.int_max_str_digits}: longer decimal ints fail to load there too. */
    public static final int MAX_DECIMAL_DIGITS = 4300;

    private final PickleHooks hooks;
    private final PickleLimits limits;
    private final String recordName;
    private final long baseOffset;
    private final int numberLineMax;
    private final long maxDecimalDigits;

    private PickleInput input;
    private MemoryBudget budget;
    private PickleStack stack;
    private Memo memo;
    private BitSet memoKeep;
    private ObjectOpcodes objects;
    private ContainerOpcodes containers;
    private TensorRun tensorRuns;
    /** False: every opcode is done one by one (tests compare that with {@link TensorRun}). */
    private boolean runs = true;
    private Opcode op;
    private long opOffset;
    private long frameEnd;
    private int protocol;

    public Unpickler(PickleHooks hooks, PickleLimits limits, String recordName) {
        this(hooks, limits, recordName, 0);
    }

    /**
     * @param baseOffset where the pickle starts inside {@code recordName}, added to every offset
     *                   reported (a legacy checkpoint holds several pickles in one file)
     */
    public Unpickler(PickleHooks hooks, PickleLimits limits, String recordName, long baseOffset) {
        this.hooks = hooks;
        this.limits = limits;
        this.recordName = recordName;
        this.baseOffset = baseOffset;
        // Text numbers are bounded like binary ones: a byte is ~2.41 decimal digits or 2 hex digits
        // (the line leaves room for underscores and spaces). Decimal text is also held to CPython's own
        // limit (sys.int_max_str_digits, which the pickle module's INT and LONG obey): converting
        // decimal digits costs time quadratic in their number, so 40 INTs of 150,000 digits would
        // otherwise take 13 s.
        this.numberLineMax = (int) Math.min(limits.maxStringBytes(), 4L * limits.maxIntBytes() + 64);
        this.maxDecimalDigits = Math.min(MAX_DECIMAL_DIGITS, (long) (limits.maxIntBytes() * 2.41) + 1);
    }

    /**
     * Holds only the memo entries {@code used} names ({@link MemoUse#scan} of the same pickle; null:
     * all), for the next {@link #load}, which then throws {@link MemoUse.Missed} should it need another.
     */
    public Unpickler keepingMemo(BitSet used) {
        this.memoKeep = used;
        return this;
    }

    /**
     * Does every opcode one by one, never a {@link TensorRun} in one step: the reference the tests
     * compare the runs with.
     */
    public Unpickler oneByOne() {
        this.runs = false;
        return this;
    }

    /** Where a {@link TensorRun} is: the opcode and input position an error there is reported at. */
    void at(Opcode code, long position) {
        op = code;
        opOffset = baseOffset + position;
    }

    /** Tensor runs the last {@link #load} did in one step. */
    int runsTaken() {
        return tensorRuns == null ? 0 : tensorRuns.taken();
    }

    long opOffset() {
        return opOffset;
    }

    /** Reads one pickle, through its STOP opcode, and returns its value. */
    public PickleValue load(InputStream in) throws IOException, CheckpointException {
        input = new PickleInput(in, limits.maxPickleBytes());
        budget = new MemoryBudget(limits.maxBuiltBytes());
        stack = new PickleStack(limits.maxStackItems(), limits.maxMarkDepth(), budget);
        memo = new Memo(limits.maxMemoEntries(), budget, memoKeep);
        KeyGuard keys = new KeyGuard(limits.maxKeyHashWork());
        objects = new ObjectOpcodes(hooks, stack, limits);
        containers = new ContainerOpcodes(stack, keys, hooks);
        tensorRuns = runs ? new TensorRun(this, input, memo, stack, budget, hooks, limits) : null;
        frameEnd = 0;
        protocol = 0;
        try {
            while (true) {
                long position = input.position();
                op = null;
                opOffset = baseOffset + position;
                int code = input.opcodeByte();
                if (code < 0) {
                    throw PickleInput.truncated(position == 0 ? "empty pickle" : "the pickle ends without STOP");
                }
                op = Opcode.of(code);
                if (op == null) {
                    throw PickleInput.error(Reason.INVALID, String.format("unknown opcode 0x%02x", code)
                            + (code >= 0x20 && code < 0x7f ? " ('" + (char) code + "')" : "")
                            + (position == 0 ? ": not a pickle" : ""));
                }
                if (op == Opcode.STOP) {
                    return stop();
                }
                execute(op);
            }
        } catch (CheckpointException e) {
            throw locate(e);
        } catch (MemoUse.Missed e) {
            throw e;
        } catch (RuntimeException e) {
            throw locate(CheckpointException.of(Reason.INVALID, "malformed pickle (" + e + ")").causedBy(e));
        }
    }

    /** Bytes the last {@link #load} read from its stream: the pickle's length when it succeeded. */
    public long bytesConsumed() {
        return input == null ? 0 : input.position();
    }

    /** The protocol the last pickle's PROTO opcode declared (0 when it had none). */
    public int protocol() {
        return protocol;
    }

    private PickleValue stop() throws CheckpointException {
        PickleValue result = stack.pop();
        if (frameEnd > input.position()) {
            throw PickleInput.error(Reason.INVALID, "the last FRAME extends " + (frameEnd - input.position())
                    + " bytes past STOP");
        }
        return result;
    }

    private void execute(Opcode code) throws IOException, CheckpointException {
        switch (code) {
            case NONE -> stack.push(PNone.NONE);
            case NEWTRUE -> stack.push(PBool.TRUE);
            case NEWFALSE -> stack.push(PBool.FALSE);
            case INT -> stack.push(textInt());
            case BININT -> stack.push(PInt.of(input.s32()));
            case BININT1 -> stack.push(PInt.of(input.u8()));
            case BININT2 -> stack.push(PInt.of(input.u16()));
            case LONG -> stack.push(textLong());
            case LONG1 -> stack.push(binaryLong(input.u8()));
            case LONG4 -> stack.push(binaryLong(input.s32()));
            case FLOAT -> stack.push(new PFloat(TextForms.parseFloat(input.line(numberLineMax, "FLOAT text"))));
            case BINFLOAT -> stack.push(new PFloat(input.f64be()));
            case STRING -> stack.push(new PStr(TextForms.python2String(
                    TextForms.unquoteString(input.line(limits.maxStringBytes(), "STRING text")))));
            case BINSTRING -> stack.push(new PStr(TextForms.python2String(bytes(nonNegative(input.s32())))));
            case SHORT_BINSTRING -> stack.push(new PStr(TextForms.python2String(bytes(input.u8()))));
            case UNICODE -> stack.push(new PStr(TextForms.rawUnicodeEscape(
                    input.line(limits.maxStringBytes(), "UNICODE text"))));
            case SHORT_BINUNICODE -> stack.push(text(input.u8()));
            case BINUNICODE -> stack.push(text(input.u32()));
            case BINUNICODE8 -> stack.push(utf8(bytes(input.u64("BINUNICODE8 length"))));
            case SHORT_BINBYTES -> stack.push(PBytes.adopt(bytes(input.u8()), false));
            case BINBYTES -> stack.push(PBytes.adopt(bytes(input.u32()), false));
            case BINBYTES8 -> stack.push(PBytes.adopt(bytes(input.u64("BINBYTES8 length")), false));
            case BYTEARRAY8 -> stack.push(PBytes.adopt(bytes(input.u64("BYTEARRAY8 length")), true));
            case NEXT_BUFFER, READONLY_BUFFER -> throw PickleInput.error(Reason.INVALID,
                    "out-of-band buffers (protocol 5 buffer_callback) are not supported: the data is not in the file");
            case EMPTY_LIST -> stack.push(new PList());
            case EMPTY_TUPLE -> stack.push(PTuple.EMPTY);
            case EMPTY_DICT -> stack.push(new PDict(false));
            case EMPTY_SET -> stack.push(new PSet(false));
            case LIST, TUPLE, TUPLE1, TUPLE2, TUPLE3, DICT, FROZENSET, APPEND, APPENDS, SETITEM, SETITEMS, ADDITEMS ->
                    containers.execute(code, opOffset);
            case MARK -> stack.mark();
            case POP -> pop();
            case POP_MARK -> stack.dropMarked(stack.popMark());
            case DUP -> stack.push(stack.peek(0));
            case PUT -> memo.put(memoIndex(TextForms.parseInt(input.line(numberLineMax, "PUT index"), false, 20)),
                    stack.peek(0));
            case BINPUT -> memo.put(input.u8(), stack.peek(0));
            case LONG_BINPUT -> memo.put(input.u32(), stack.peek(0));
            case MEMOIZE -> memo.put(memo.size(), stack.peek(0));
            case GET -> stack.push(memoGet(TextForms.parseInt(input.line(numberLineMax, "GET index"), false, 20)));
            case BINGET, LONG_BINGET -> {
                long index = code == Opcode.BINGET ? input.u8() : input.u32();
                PickleValue v = memoGet(index);
                if (tensorRuns == null || !tensorRuns.tryRun(v)) {
                    stack.push(v);
                }
            }
            case PROTO -> readProto();
            case FRAME -> frame();
            case GLOBAL, STACK_GLOBAL, INST, OBJ, REDUCE, BUILD, NEWOBJ, NEWOBJ_EX, PERSID, BINPERSID, EXT1, EXT2,
                 EXT4 -> objects.execute(code, input, opOffset);
            case STOP -> throw new IllegalStateException("STOP is handled by load");
            default -> throw new IllegalStateException("no case for " + code);
        }
    }

    private PickleValue textInt() throws IOException, CheckpointException {
        byte[] line = input.line(numberLineMax, "INT text");
        // Protocol 0 spells True and False as I01 / I00 (Python 2.3+).
        if (Arrays.equals(line, new byte[] {'0', '1'}) || Arrays.equals(line, new byte[] {'0', '0'})) {
            return PBool.of(line[1] == '1');
        }
        return new PInt(TextForms.parseInt(line, true, maxDecimalDigits));
    }

    private PickleValue textLong() throws IOException, CheckpointException {
        byte[] line = input.line(numberLineMax, "LONG text");
        int n = line.length;
        if (n > 0 && line[n - 1] == 'L') {
            n--; // Python 2 wrote longs as 123L
        }
        return new PInt(TextForms.parseInt(Arrays.copyOf(line, n), true, maxDecimalDigits));
    }

    private PickleValue binaryLong(long length) throws IOException, CheckpointException {
        if (length < 0) {
            throw PickleInput.error(Reason.INVALID, "negative byte count " + length);
        }
        return new PInt(TextForms.decodeLong(input.bytes(length, limits.maxIntBytes(), op.name())));
    }

    private byte[] bytes(long length) throws IOException, CheckpointException {
        chargePayload(length);
        return input.bytes(length, limits.maxStringBytes(), op.name());
    }

    private void chargePayload(long length) throws CheckpointException {
        if (length > 0) {
            budget.charge(length, "str and bytes payloads");
        }
    }

    private static long nonNegative(int length) throws CheckpointException {
        if (length < 0) {
            throw PickleInput.error(Reason.INVALID, "negative byte count " + length);
        }
        return length;
    }

    private PStr utf8(byte[] data) throws CheckpointException {
        return utf8(data, data.length);
    }

    private PStr utf8(byte[] data, int length) throws CheckpointException {
        budget.charge(2L * length, "str payloads"); // the decoded String beside its bytes
        String s = TextForms.utf8(data, length, true);
        if (s == null) {
            throw PickleInput.error(Reason.INVALID, "string of " + length + " bytes is not valid UTF-8");
        }
        return new PStr(s);
    }

    /** A BINUNICODE's text of {@code length} bytes: a short one is decoded from the input's own buffer. */
    private PStr text(long length) throws IOException, CheckpointException {
        if (length > PickleInput.SHORT_TEXT || length > limits.maxStringBytes()) {
            return utf8(bytes(length));
        }
        chargePayload(length);
        return utf8(input.shortBytes((int) length, op.name()), (int) length);
    }

    private void pop() throws CheckpointException {
        // With nothing above the topmost MARK, POP discards the MARK itself (as CPython does).
        if (stack.aboveMark() == 0 && stack.hasMark()) {
            stack.dropMarked(stack.popMark());
        } else {
            stack.pop();
        }
    }

    private static long memoIndex(BigInteger index) throws CheckpointException {
        if (index.signum() < 0) {
            throw PickleInput.error(Reason.INVALID, "negative memo index " + index);
        }
        if (index.bitLength() > 62) {
            throw PickleInput.error(Reason.LIMIT, "memo index " + index + " is beyond any limit");
        }
        return index.longValue();
    }

    private PickleValue memoGet(BigInteger index) throws CheckpointException {
        if (index.signum() >= 0 && index.bitLength() <= 62) {
            return memoGet(index.longValue());
        }
        throw PickleInput.error(Reason.INVALID, "memo index " + index + " was never stored");
    }

    private PickleValue memoGet(long index) throws CheckpointException {
        PickleValue v = memo.get(index);
        if (v == null) {
            throw PickleInput.error(Reason.INVALID, "memo index " + index + " was never stored");
        }
        return v;
    }

    private void readProto() throws IOException, CheckpointException {
        int p = input.u8();
        if (p > Opcode.HIGHEST_PROTOCOL) {
            throw PickleInput.error(Reason.UNSUPPORTED, "pickle protocol " + p + " is not supported (0-"
                    + Opcode.HIGHEST_PROTOCOL + ")");
        }
        protocol = p;
        objects.protocol(p);
    }

    private void frame() throws IOException, CheckpointException {
        long length = input.u64("FRAME length");
        if (frameEnd > input.position() - 9) {
            throw PickleInput.error(Reason.INVALID, "a new FRAME starts before the end of the current one");
        }
        if (length > limits.maxPickleBytes()) {
            throw PickleInput.error(Reason.LIMIT, "FRAME of " + length + " bytes exceeds the limit of "
                    + limits.maxPickleBytes());
        }
        // The frame's bytes are ordinary opcodes; only its length is checked (it must end at or before STOP).
        frameEnd = input.position() + length;
    }

    private CheckpointException locate(CheckpointException e) {
        String detail = e.detail();
        if (op != null && !detail.startsWith(op.name() + ": ") && !detail.startsWith(op.name() + " ")) {
            detail = op.name() + ": " + detail;
        }
        return CheckpointException.of(e.reason(), detail).inFile(e.file()).at(e.record() != null ? e.record() : recordName, e.offset() >= 0 ? e.offset() : opOffset).forTensor(e.tensor()).causedBy(e.getCause() != null ? e.getCause() : e);
    }
}
