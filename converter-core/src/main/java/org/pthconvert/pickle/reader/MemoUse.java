package org.pthconvert.pickle.reader;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.BitSet;

/**
 * Which memo entries a pickle ever reads back, found by walking its opcodes once without building
 * anything. torch's pickler memoizes every object it writes, and a state dict of 100,000 tensors then
 * holds some 800,000 entries (argument tuples, persistent ids, empty OrderedDicts) alive to its end,
 * while it reads back only a handful. An {@link Unpickler} given the answer stores only those.
 *
 * <p>The walk only steers memory, never meaning: it is undecided (null) on anything it does not follow
 * exactly, and should it still have missed a read, the unpickler finds the entry missing and says so
 * with {@link Missed}, and the caller reads the pickle again keeping every entry.
 */
public final class MemoUse {
    /** Indices at or above this are kept whatever the walk says; the walk gives up on reading one. */
    static final int MAX_INDEX = 1 << 24;

    private MemoUse() {
    }

    /** Thrown by an unpickler that needs an entry the walk said it never reads. */
    public static final class Missed extends RuntimeException {
        Missed(long index) {
            super("memo index " + index + " is read back, which the first walk did not see", null, false, false);
        }
    }

    /** What {@link #scan} does after an opcode byte: skip a fixed count (>= 0), or one of these. */
    private static final int INVALID = -100;
    private static final int STOP = -101;
    private static final int BINGET = -102;
    private static final int LONG_BINGET = -103;
    private static final int GET = -104;
    /** Two lines (GLOBAL, INST); the other negative values are {@link Opcode.Arg}'s kinds. */
    private static final int TWO_LINES = -105;
    /**
     * By opcode byte. The walk runs over every byte of the pickle before the unpickler does, so it
     * looks its steps up in a table rather than through {@link Opcode}'s enum.
     */
    private static final int[] STEP = new int[256];

    static {
        for (int code = 0; code < 256; code++) {
            Opcode op = Opcode.of(code);
            STEP[code] = op == null ? INVALID : switch (op) {
                case STOP -> STOP;
                case BINGET -> BINGET;
                case LONG_BINGET -> LONG_BINGET;
                case GET -> GET;
                default -> op.arg() == Opcode.Arg.STRINGNL_NOESCAPE_PAIR ? TWO_LINES : op.arg().n();
            };
        }
    }

    /** The memo indices read through STOP, or null when the walk cannot tell. */
    public static BitSet scan(InputStream stream) throws IOException {
        Cursor in = new Cursor(stream);
        Bitmap used = new Bitmap();
        try {
            while (true) {
                if (!buffered(in, used)) {
                    return null;
                }
                int code = in.read();
                if (code < 0) {
                    return null; // truncated: the unpickler says so
                }
                int step = STEP[code];
                if (step > 0) {
                    in.skip(step);
                    continue;
                }
                switch (step) {
                    case 0 -> {
                    }
                    case STOP -> {
                        return used.toBitSet();
                    }
                    case BINGET -> used.set(uint(in, 1));
                    case LONG_BINGET -> {
                        long index = uint(in, 4);
                        if (index >= MAX_INDEX) {
                            return null;
                        }
                        used.set(index);
                    }
                    case GET -> {
                        long index = decimalLine(in);
                        if (index < 0 || index >= MAX_INDEX) {
                            return null;
                        }
                        used.set(index);
                    }
                    case TWO_LINES -> {
                        skipLine(in);
                        skipLine(in);
                    }
                    case Opcode.Arg.UP_TO_NEWLINE -> skipLine(in);
                    case INVALID -> {
                        return null; // not a pickle: the unpickler says which opcode
                    }
                    default -> {
                        if (!skipCounted(in, step)) {
                            return null;
                        }
                    }
                }
            }
        } catch (EOFException e) {
            return null;
        }
    }

    /**
     * Walks the opcodes whose arguments lie whole in the cursor's buffer, straight from its array: a
     * state dict is 30 opcodes per tensor, and one call per byte read was most of the walk's time.
     * Stops before any other opcode (a line, a long or 8-byte length, STOP, an unknown byte), which
     * {@link #scan} then takes on its own; false: the walk cannot tell (an index beyond the limit).
     */
    private static boolean buffered(Cursor in, Bitmap used) {
        byte[] b = in.buffer;
        int at = in.at;
        int end = in.end;
        // Room for an opcode and its longest fixed argument (8 bytes), or a 4-byte length.
        while (end - at >= 16) {
            int step = STEP[b[at] & 0xff];
            if (step >= 0) {
                at += 1 + step;
            } else if (step == BINGET) {
                used.set(b[at + 1] & 0xff);
                at += 2;
            } else if (step == LONG_BINGET) {
                long index = PickleInput.u32(b, at + 1);
                if (index >= MAX_INDEX) {
                    in.at = at;
                    return false;
                }
                used.set(index);
                at += 5;
            } else if (step == Opcode.Arg.LENGTH_U1 && end - at >= 2 + (b[at + 1] & 0xff)) {
                at += 2 + (b[at + 1] & 0xff);
            } else if (step == Opcode.Arg.LENGTH_U4 && PickleInput.u32(b, at + 1) <= end - at - 5) {
                at += 5 + (int) PickleInput.u32(b, at + 1);
            } else {
                break;
            }
        }
        in.at = at;
        return true;
    }

    /** Skips a length of kind {@code kind} ({@link Opcode.Arg}'s LENGTH_ values) and that many bytes. */
    private static boolean skipCounted(Cursor in, int kind) throws IOException {
        long length;
        switch (kind) {
            case Opcode.Arg.LENGTH_U1 -> length = uint(in, 1);
            case Opcode.Arg.LENGTH_S4 -> length = (int) uint(in, 4);
            case Opcode.Arg.LENGTH_U4 -> length = uint(in, 4);
            case Opcode.Arg.LENGTH_U8 -> length = uint(in, 8);
            default -> {
                return false;
            }
        }
        if (length < 0) {
            return false;
        }
        in.skip(length);
        return true;
    }

    private static void skipLine(Cursor in) throws IOException {
        int b;
        do {
            b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
        } while (b != '\n');
    }

    /** A GET's plain decimal index, or -1 for any other spelling (the walk then gives up). */
    private static long decimalLine(Cursor in) throws IOException {
        long value = 0;
        int digits = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            if (b == '\n') {
                return digits == 0 ? -1 : value;
            }
            if (b < '0' || b > '9' || digits >= 9) {
                skipLine(in);
                return -1;
            }
            value = value * 10 + (b - '0');
            digits++;
        }
    }

    /** A little-endian unsigned integer of {@code bytes} bytes (8 bytes: negative when above 2^63). */
    private static long uint(Cursor in, int bytes) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            v |= (long) b << (8 * i);
        }
        return v;
    }

    /** Bytes of the stream through a buffer of its own: a byte at a time from the stream itself costs a call each. */
    private static final class Cursor {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int at;
        private int end;

        Cursor(InputStream in) {
            this.in = in;
        }

        /** The next byte, or -1 at the end. */
        int read() throws IOException {
            if (at == end) {
                end = in.readNBytes(buffer, 0, buffer.length);
                at = 0;
                if (end <= 0) {
                    end = 0;
                    return -1;
                }
            }
            return buffer[at++] & 0xff;
        }

        /** Skips {@code n} bytes; {@link EOFException} if the stream ends first. */
        void skip(long n) throws IOException {
            long inBuffer = Math.min(n, end - at);
            at += (int) inBuffer;
            if (n > inBuffer) {
                in.skipNBytes(n - inBuffer);
            }
        }
    }
}
