package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.pthconvert.errors.CheckpointException;

/**
 * Copies a strided view's elements out of a storage in C order, with fixed-size buffers. After
 * {@link ViewLayout} has merged what it can, one of four strategies reads the storage:
 * <ul>
 *   <li><b>runs</b>: the innermost dimension is contiguous and at least {@value #RUN_MIN} bytes
 *       long: each row is read straight into the output buffer, gaps are never read;</li>
 *   <li><b>blocks</b>: the largest block of inner dimensions whose storage extent fits the
 *       {@value #IN_CAP}-byte input buffer and is not too sparse (at most 16x the bytes it yields,
 *       or one page) is read once per outer index and the elements picked from it. This covers
 *       expanded views (stride 0: a block is read once and repeated), channels_last, slices, small
 *       transposes. A block whose start equals the previous one is not read again;</li>
 *   <li><b>tiles</b>: a large transposed matrix (inner stride large, the next stride small): the
 *       output rows are filled a tile of up to {@value #TILE_CAP} bytes at a time, reading one short
 *       run per inner index, so each storage byte is read about once;</li>
 *   <li><b>elements</b>: anything else (huge strides): one read per element.</li>
 * </ul>
 * Reads go forward except across tiles and permuted outer dimensions.
 */
final class StridedGather {
    static final int IN_CAP = 4 << 20;
    static final int TILE_CAP = 8 << 20;
    static final int RUN_MIN = 4096;
    private static final int DENSITY = 16;
    private static final int TILE_MAX_STEP = 64;

    private final StorageBytes src;
    private final ViewLayout layout;
    private final int width;
    private final long[] dims;
    private final long[] strides;
    private final int k;

    StridedGather(StorageBytes src, ViewLayout layout, int width) {
        this.src = src;
        this.layout = layout;
        this.width = width;
        this.dims = layout.dims();
        this.strides = layout.strides();
        this.k = dims.length;
    }

    void run(ChunkWriter out) throws IOException, CheckpointException {
        if (layout.numel() == 0) {
            return;
        }
        if (layout.contiguous()) {
            copyRange(layout.offset(), layout.numel(), out);
        } else if (strides[k - 1] == 1 && Math.multiplyExact(dims[k - 1], (long) width) >= RUN_MIN) {
            runs(out);
        } else {
            int j = blockStart();
            if (j < k) {
                blocks(j, out);
            } else if (k >= 2 && strides[k - 2] < strides[k - 1]
                    && Math.multiplyExact(strides[k - 2], (long) width) <= TILE_MAX_STEP) {
                tiles(out);
            } else {
                blocks(k, out);
            }
        }
        out.flush();
    }

    /** The outermost dim starting a block that fits the input buffer and is dense enough; k if none. */
    private int blockStart() {
        int best = k;
        for (int i = k - 1; i >= 0; i--) {
            long spanBytes = Math.multiplyExact(layout.span(i), (long) width);
            if (spanBytes > IN_CAP) {
                break;
            }
            long countBytes = Math.multiplyExact(layout.count(i), (long) width);
            if (spanBytes <= RUN_MIN || spanBytes <= Math.multiplyExact(countBytes, (long) DENSITY)) {
                best = i;
            }
        }
        return best;
    }

    /** Reads {@code count} elements from element {@code first} straight into the output. */
    private void copyRange(long first, long count, ChunkWriter out) throws IOException, CheckpointException {
        long at = Math.multiplyExact(first, (long) width);
        long left = Math.multiplyExact(count, (long) width);
        while (left > 0) {
            if (out.room() == 0) {
                out.flush();
            }
            int n = (int) Math.min(out.room(), left);
            src.read(at, ByteBuffer.wrap(out.buf, out.pos, n));
            out.pos += n;
            at += n;
            left -= n;
        }
    }

    private void runs(ChunkWriter out) throws IOException, CheckpointException {
        Odometer outer = new Odometer(dims, strides, 0, k - 1, layout.offset());
        do {
            copyRange(outer.offset(), dims[k - 1], out);
        } while (outer.next());
    }

    /** Dims {@code j..k-1} form a block read in one go; {@code j == k} means single elements. */
    private void blocks(int j, ChunkWriter out) throws IOException, CheckpointException {
        int spanBytes = (int) Math.multiplyExact(layout.span(j), (long) width);
        byte[] in = new byte[spanBytes];
        long loaded = -1;
        Odometer outer = new Odometer(dims, strides, 0, j, layout.offset());
        Odometer middle = j < k ? new Odometer(dims, strides, j, k - 1, 0) : null;
        do {
            long base = outer.offset();
            if (base != loaded) {
                src.read(Math.multiplyExact(base, (long) width), ByteBuffer.wrap(in));
                loaded = base;
            }
            if (middle == null) {
                out.putElement(in, 0, width);
            } else {
                pick(in, middle, out);
            }
        } while (outer.next());
    }

    /**
     * Emits the block's elements in C order; the block starts at byte 0 of {@code in}, and
     * {@code middle} counts through its dims except the innermost (left at the start again).
     */
    private void pick(byte[] in, Odometer middle, ChunkWriter out) throws IOException, CheckpointException {
        long n = dims[k - 1];
        int step = (int) (strides[k - 1] * width);
        do {
            int at = (int) middle.offset() * width;
            if (step == width) {
                out.put(in, at, (int) n * width);
            } else {
                for (long t = 0; t < n; t++, at += step) {
                    out.putElement(in, at, width);
                }
            }
        } while (middle.next());
    }

    /**
     * Dims p = k-2 (small stride) and q = k-1 (large stride): output rows p0..p0+g-1 are built in
     * a tile; for each q the g elements along p are one short read.
     */
    private void tiles(ChunkWriter out) throws IOException, CheckpointException {
        int p = k - 2;
        int q = k - 1;
        long rows = dims[p];
        long cols = dims[q];
        long rowBytes = Math.multiplyExact(cols, (long) width);
        long stepBytes = strides[p] * width;
        boolean rowFits = rowBytes <= TILE_CAP;
        long g = Math.max(1, Math.min(rows, TILE_CAP / rowBytes));
        g = Math.max(1, Math.min(g, (IN_CAP - width) / Math.max(1, stepBytes) + 1));
        byte[] tile = rowFits ? new byte[(int) (g * rowBytes)] : null;
        byte[] in = new byte[(int) ((g - 1) * stepBytes + width)];
        Odometer outer = new Odometer(dims, strides, 0, p, layout.offset());
        do {
            for (long p0 = 0; p0 < rows; p0 += g) {
                int gn = (int) Math.min(g, rows - p0);
                int runBytes = (int) ((gn - 1) * stepBytes + width);
                long rowStart = Math.addExact(outer.offset(), Math.multiplyExact(p0, strides[p]));
                if (!rowFits) {
                    for (long r = 0; r < gn; r++) {
                        oneRow(Math.addExact(rowStart, Math.multiplyExact(r, strides[p])), out);
                    }
                    continue;
                }
                for (long c = 0; c < cols; c++) {
                    long first = Math.addExact(rowStart, Math.multiplyExact(c, strides[q]));
                    src.read(Math.multiplyExact(first, (long) width), ByteBuffer.wrap(in, 0, runBytes));
                    int dst = (int) (c * width);
                    for (int t = 0; t < gn; t++, dst += (int) rowBytes) {
                        System.arraycopy(in, (int) (t * stepBytes), tile, dst, width);
                    }
                }
                out.put(tile, 0, (int) (gn * rowBytes));
            }
        } while (outer.next());
    }

    /** A row too long for any tile: element by element. */
    private void oneRow(long rowStart, ChunkWriter out) throws IOException, CheckpointException {
        byte[] one = new byte[width];
        int q = k - 1;
        for (long c = 0; c < dims[q]; c++) {
            long first = Math.addExact(rowStart, Math.multiplyExact(c, strides[q]));
            src.read(Math.multiplyExact(first, (long) width), ByteBuffer.wrap(one));
            out.putElement(one, 0, width);
        }
    }

    /**
     * Counts through dims {@code from..to-1} in C order, keeping the element offset
     * {@code base + sum(index[i] * stride[i])} up to date.
     */
    static final class Odometer {
        private final long[] dims;
        private final long[] strides;
        private final int from;
        private final int to;
        private final long[] index;
        private long offset;

        Odometer(long[] dims, long[] strides, int from, int to, long base) {
            this.dims = dims;
            this.strides = strides;
            this.from = from;
            this.to = to;
            this.index = new long[dims.length];
            this.offset = base;
        }

        long offset() { return offset; }

        /** Advances; false (and back at the start) after the last index. */
        boolean next() {
            for (int i = to - 1; i >= from; i--) {
                if (++index[i] < dims[i]) {
                    offset = Math.addExact(offset, strides[i]);
                    return true;
                }
                index[i] = 0;
                offset = Math.subtractExact(offset, Math.multiplyExact(dims[i] - 1, strides[i]));
            }
            return false;
        }
    }
}
