package org.pthconvert.pickle.reader;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * The bytes of one pickle: counts its position, never reads ahead (a legacy checkpoint puts more
 * data right after the pickle's STOP, so the caller's stream must be left exactly there), and never
 * trusts a declared length: a long value is read in growing chunks, so a 4 GiB length in a 1 KB
 * stream fails as truncated after reading 1 KB, not after allocating 4 GiB.
 *
 * <p>Errors carry no record or offset; the {@link Unpickler} adds the opcode's.
 */
final class PickleInput {
    private static final int FIRST_CHUNK = 64 * 1024;
    /** Texts up to this many bytes are read into a buffer kept for them ({@link #shortBytes}). */
    static final int SHORT_TEXT = 256;

    private final InputStream in;
    private final long maxBytes;
    private final byte[] scratch = new byte[8];
    /** Holds a short text's bytes until it is decoded ({@link #shortBytes}). */
    private final byte[] text = new byte[SHORT_TEXT];
    private long position;

    PickleInput(InputStream in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** Bytes consumed so far. */
    long position() { return position; }

    /** The next opcode byte, or -1 at the end of the stream. */
    int opcodeByte() throws IOException, CheckpointException {
        ensureRoom(1);
        int b = in.read();
        if (b >= 0) {
            position++;
        }
        return b;
    }

    int u8() throws IOException, CheckpointException {
        fill(scratch, 1);
        return scratch[0] & 0xff;
    }

    int u16() throws IOException, CheckpointException {
        fill(scratch, 2);
        return (scratch[0] & 0xff) | (scratch[1] & 0xff) << 8;
    }

    int s32() throws IOException, CheckpointException {
        fill(scratch, 4);
        return (scratch[0] & 0xff) | (scratch[1] & 0xff) << 8 | (scratch[2] & 0xff) << 16 | scratch[3] << 24;
    }

    long u32() throws IOException, CheckpointException {
        return s32() & 0xffff_ffffL;
    }

    /** An unsigned 64-bit little-endian value; one above {@code Long.MAX_VALUE} is refused as a limit. */
    long u64(String what) throws IOException, CheckpointException {
        fill(scratch, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (scratch[i] & 0xff);
        }
        if (v < 0) {
            throw error(Reason.LIMIT, what + " of " + Long.toUnsignedString(v) + " bytes is beyond any limit");
        }
        return v;
    }

    double f64be() throws IOException, CheckpointException {
        fill(scratch, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (scratch[i] & 0xff);
        }
        return Double.longBitsToDouble(v);
    }

    /**
     * Exactly {@code n} bytes (n >= 0), refused up front only when {@code n} exceeds {@code max};
     * otherwise memory grows with the bytes that really arrive.
     */
    byte[] bytes(long n, long max, String what) throws IOException, CheckpointException {
        if (n > max) {
            throw error(Reason.LIMIT, what + " of " + n + " bytes exceeds the limit of " + max);
        }
        ensureRoom(n);
        int length = (int) n;
        byte[] buf = new byte[Math.min(length, FIRST_CHUNK)];
        int filled = 0;
        while (filled < length) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(length, 2L * buf.length));
            }
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0) {
                throw truncated(what + " declares " + n + " bytes but only " + filled + " follow");
            }
            filled += r;
            position += r;
        }
        return buf;
    }

    /**
     * As {@link #bytes} for {@code n <= SHORT_TEXT}, but into a buffer this input keeps, whose first
     * {@code n} bytes are valid until the next call: a tensor name or a storage key is decoded from it
     * without an array of its own (two per tensor).
     */
    byte[] shortBytes(int n, String what) throws IOException, CheckpointException {
        ensureRoom(n);
        int filled = 0;
        while (filled < n) {
            int r = in.read(text, filled, n - filled);
            if (r < 0) {
                throw truncated(what + " declares " + n + " bytes but only " + filled + " follow");
            }
            filled += r;
            position += r;
        }
        return text;
    }

    /** The text up to the next newline, without it; a line longer than {@code max} is a limit breach. */
    byte[] line(int max, String what) throws IOException, CheckpointException {
        byte[] line = lineOrRest(max, what);
        if (line == null) {
            throw truncated(what + " is not terminated by a newline");
        }
        return line;
    }

    /** What {@link #lineOrRest} found last when the input ended before a newline. */
    private byte[] rest = new byte[0];

    /**
     * As {@link #line}, but at the end of the input returns null and keeps the bytes read in
     * {@link #rest()}: Python's own unpickler takes such a last line as if it ended there.
     */
    byte[] lineOrRest(int max, String what) throws IOException, CheckpointException {
        byte[] buf = new byte[Math.min(max + 1, 128)];
        int n = 0;
        while (true) {
            ensureRoom(1);
            int b = in.read();
            if (b < 0) {
                rest = Arrays.copyOf(buf, n);
                return null;
            }
            position++;
            if (b == '\n') {
                return Arrays.copyOf(buf, n);
            }
            if (n == max) {
                throw error(Reason.LIMIT, what + " is longer than " + max + " bytes");
            }
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(max + 1L, 2L * buf.length));
            }
            buf[n++] = (byte) b;
        }
    }

    /** The bytes of the unterminated last line {@link #lineOrRest} met. */
    byte[] rest() {
        return rest.clone();
    }

    private void fill(byte[] dst, int n) throws IOException, CheckpointException {
        ensureRoom(n);
        int filled = 0;
        while (filled < n) {
            int r = in.read(dst, filled, n - filled);
            if (r < 0) {
                throw truncated("needs " + n + " argument bytes but only " + filled + " follow");
            }
            filled += r;
            position += r;
        }
    }

    private void ensureRoom(long n) throws CheckpointException {
        if (n > maxBytes - position) {
            throw error(Reason.LIMIT, "pickle is longer than the limit of " + maxBytes + " bytes");
        }
    }

    static CheckpointException truncated(String detail) {
        return error(Reason.INVALID, "truncated: " + detail);
    }

    static CheckpointException error(Reason reason, String detail) {
        return CheckpointException.of(reason, detail);
    }
}
