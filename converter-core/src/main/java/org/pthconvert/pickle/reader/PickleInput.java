package org.pthconvert.pickle.reader;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * The bytes of one pickle: counts the bytes it consumes, and never trusts a declared length: a long
 * value is read in growing chunks, so a 4 GiB length in a 1 KB stream fails as truncated after
 * reading 1 KB, not after allocating 4 GiB.
 *
 * <p>It reads its stream ahead through a buffer of its own: an opcode or a small argument is then a
 * few array reads, where a call into the stream for each one was a fifth of reading a pickle of
 * 100,000 tensors. So the stream may be left past the pickle's STOP; {@link #position()} is where the
 * pickle really ended (a legacy checkpoint's next record starts there, and its callers open it anew).
 *
 * <p>Errors carry no record or offset; the {@link Unpickler} adds the opcode's.
 */
final class PickleInput {
    private static final int FIRST_CHUNK = 64 * 1024;
    private static final int BUFFER = 64 * 1024;
    /** Texts up to this many bytes are read into a buffer kept for them ({@link #shortBytes}). */
    static final int SHORT_TEXT = 256;

    private final InputStream in;
    private final long maxBytes;
    private final byte[] buffer = new byte[BUFFER];
    /** Holds a short text's bytes until it is decoded ({@link #shortBytes}). */
    private final byte[] text = new byte[SHORT_TEXT];
    /** The next unconsumed byte of {@link #buffer}, and the end of what it holds. */
    private int at;
    private int end;
    /** Bytes consumed before {@code buffer[0]}. */
    private long base;
    private boolean atEof;

    PickleInput(InputStream in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** Bytes consumed so far. */
    long position() { return base + at; }

    /** The next opcode byte, or -1 at the end of the stream. */
    int opcodeByte() throws IOException, CheckpointException {
        ensureRoom(1);
        if (at == end && !buffered(1)) {
            return -1;
        }
        return buffer[at++] & 0xff;
    }

    int u8() throws IOException, CheckpointException {
        need(1);
        return buffer[at++] & 0xff;
    }

    int u16() throws IOException, CheckpointException {
        need(2);
        int v = (buffer[at] & 0xff) | (buffer[at + 1] & 0xff) << 8;
        at += 2;
        return v;
    }

    int s32() throws IOException, CheckpointException {
        need(4);
        int i = at;
        at = i + 4;
        return s32(buffer, i);
    }

    /** The little-endian signed 32-bit value at {@code b[i..i+4)}. */
    static int s32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | b[i + 3] << 24;
    }

    /** The little-endian unsigned 32-bit value at {@code b[i..i+4)}. */
    static long u32(byte[] b, int i) {
        return s32(b, i) & 0xffff_ffffL;
    }

    long u32() throws IOException, CheckpointException {
        return s32() & 0xffff_ffffL;
    }

    /** An unsigned 64-bit little-endian value; one above {@code Long.MAX_VALUE} is refused as a limit. */
    long u64(String what) throws IOException, CheckpointException {
        need(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (buffer[at + i] & 0xff);
        }
        at += 8;
        if (v < 0) {
            throw error(Reason.LIMIT, what + " of " + Long.toUnsignedString(v) + " bytes is beyond any limit");
        }
        return v;
    }

    double f64be() throws IOException, CheckpointException {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (buffer[at + i] & 0xff);
        }
        at += 8;
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
            if (at == end && !buffered(1)) {
                throw truncated(what + " declares " + n + " bytes but only " + filled + " follow");
            }
            int r = Math.min(buf.length - filled, end - at);
            System.arraycopy(buffer, at, buf, filled, r);
            at += r;
            filled += r;
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
        int filled = available(n);
        if (filled < n) {
            throw truncated(what + " declares " + n + " bytes but only " + filled + " follow");
        }
        System.arraycopy(buffer, at, text, 0, n);
        at += n;
        return text;
    }

    /**
     * Buffers up to {@code n} bytes at the current position without consuming them, never past the
     * size limit, and returns how many are buffered ({@link #buffer()} from {@link #bufferAt()}):
     * fewer only at the end of the stream or of the limit. {@link #skip} consumes them.
     */
    int window(int n) throws IOException {
        int want = (int) Math.max(0, Math.min(n, maxBytes - position()));
        if (end - at < want) {
            buffered(want);
        }
        return Math.min(want, end - at);
    }

    byte[] buffer() { return buffer; }

    int bufferAt() { return at; }

    /** Consumes {@code n} bytes that {@link #window} buffered. */
    void skip(int n) {
        at += n;
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
            if (at == end && !buffered(1)) {
                rest = Arrays.copyOf(buf, n);
                return null;
            }
            int b = buffer[at++] & 0xff;
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

    /** Makes {@code n} bytes available at {@link #at}, or consumes what is left and says it is truncated. */
    private void need(int n) throws IOException, CheckpointException {
        ensureRoom(n);
        int filled = available(n);
        if (filled < n) {
            throw truncated("needs " + n + " argument bytes but only " + filled + " follow");
        }
    }

    /**
     * {@code n} when that many bytes are buffered at {@link #at}; otherwise consumes what is left (a
     * truncated value counts the bytes it had) and returns how many that was.
     */
    private int available(int n) throws IOException {
        if (end - at >= n || buffered(n)) {
            return n;
        }
        int left = end - at;
        at = end;
        return left;
    }

    /**
     * Reads until at least {@code n} (at most {@link #BUFFER}) unconsumed bytes are buffered; false if
     * the stream ends first.
     */
    private boolean buffered(int n) throws IOException {
        int left = end - at;
        if (at > 0) {
            System.arraycopy(buffer, at, buffer, 0, left);
            base += at;
            at = 0;
            end = left;
        }
        while (end < n && !atEof) {
            int r = in.read(buffer, end, buffer.length - end);
            if (r < 0) {
                atEof = true;
            } else if (r == 0) {
                // A stream may give nothing without being at its end; its one-byte read blocks until it knows.
                int b = in.read();
                if (b < 0) {
                    atEof = true;
                } else {
                    buffer[end++] = (byte) b;
                }
            } else {
                end += r;
            }
        }
        return end >= n;
    }

    private void ensureRoom(long n) throws CheckpointException {
        if (n > maxBytes - position()) {
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
