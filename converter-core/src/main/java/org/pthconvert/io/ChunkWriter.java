package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.pthconvert.errors.CheckpointException;

/**
 * The reused output buffer of a gather: collects whole elements, swaps byte order at each flush
 * when asked, and hands full chunks to the consumer. Its capacity is a multiple of every element
 * width, so an element never straddles two chunks.
 */
final class ChunkWriter {
    final byte[] buf;
    int pos;
    private final TensorSource.ChunkConsumer sink;
    private final int swapUnit;

    ChunkWriter(int capacity, TensorSource.ChunkConsumer sink, int swapUnit) {
        this.buf = new byte[capacity];
        this.sink = sink;
        this.swapUnit = swapUnit;
    }

    int room() { return buf.length - pos; }

    /** Appends {@code len} bytes (a whole number of elements), flushing as the buffer fills. */
    void put(byte[] src, int off, int len) throws IOException, CheckpointException {
        while (len > 0) {
            if (pos == buf.length) {
                flush();
            }
            int n = Math.min(len, buf.length - pos);
            System.arraycopy(src, off, buf, pos, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** Appends one element of {@code width} bytes. */
    void putElement(byte[] src, int off, int width) throws IOException, CheckpointException {
        if (pos == buf.length) {
            flush();
        }
        byte[] b = buf;
        int p = pos;
        switch (width) {
            case 1 -> b[p] = src[off];
            case 2 -> {
                b[p] = src[off];
                b[p + 1] = src[off + 1];
            }
            case 4 -> {
                b[p] = src[off];
                b[p + 1] = src[off + 1];
                b[p + 2] = src[off + 2];
                b[p + 3] = src[off + 3];
            }
            default -> System.arraycopy(src, off, b, p, width);
        }
        pos = p + width;
    }

    /** Hands over what has been collected (nothing if empty). */
    void flush() throws IOException, CheckpointException {
        if (pos == 0) {
            return;
        }
        if (swapUnit > 1) {
            ByteSwap.swap(buf, 0, pos, swapUnit);
        }
        sink.accept(ByteBuffer.wrap(buf, 0, pos));
        pos = 0;
    }
}
