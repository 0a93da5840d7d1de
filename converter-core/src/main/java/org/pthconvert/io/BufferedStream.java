package org.pthconvert.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A read buffer over a stream, for one reader at a time. {@link java.io.BufferedInputStream} does
 * the same but takes a lock on every call; the unpickler reads its opcodes a byte at a time, and
 * those locks were a tenth of reading a pickle of 100,000 tensors.
 */
public final class BufferedStream extends InputStream {
    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int count;

    public BufferedStream(InputStream in, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("buffer size " + size);
        }
        this.in = Objects.requireNonNull(in);
        this.buf = new byte[size];
    }

    @Override
    public int read() throws IOException {
        if (pos == count && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos == count) {
            if (len >= buf.length) {
                return in.read(b, off, len); // a long read gains nothing from a copy through the buffer
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, count - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        int buffered = count - pos;
        if (buffered > 0) {
            int k = (int) Math.min(n, buffered);
            pos += k;
            return k;
        }
        return in.skip(n);
    }

    @Override
    public int available() throws IOException {
        int inner = in.available();
        int buffered = count - pos;
        return inner > Integer.MAX_VALUE - buffered ? Integer.MAX_VALUE : buffered + inner;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Refills the empty buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        pos = 0;
        count = 0;
        int n = in.read(buf, 0, buf.length);
        if (n == 0) {
            // A stream may give nothing without being at its end; its one-byte read blocks until it knows.
            int b = in.read();
            if (b < 0) {
                return false;
            }
            buf[0] = (byte) b;
            n = 1;
        }
        if (n < 0) {
            return false;
        }
        count = n;
        return true;
    }
}
