package org.pthconvert.inputs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import org.pthconvert.errors.CheckpointException;

/**
 * Gathers a range of a whole tensor's C-order bytes from chunks stored with any strides (a
 * transposed or permuted local shard, an overlapping view at a storage offset) into a buffer. The
 * range is cut into boxes (at most two per dimension); each box meets each chunk in a box, which is
 * copied by walking the chunk's dimensions in storage order so that every positional read takes the
 * longest run that is contiguous in the file (a column of a transposed chunk, a whole row of a
 * C-contiguous one). Reads go through a bounded staging buffer; nothing scales with the tensor.
 */
final class StridedGather {
    private final long[] shape;
    private final int width;
    private final List<ChunkedStorage.Piece> pieces;
    private final int stagingBytes;
    /** Segments at least this long go straight from the file to their place, without staging. */
    private static final long DIRECT_SEGMENT = 64 << 10;

    StridedGather(long[] shape, int width, List<ChunkedStorage.Piece> pieces, int stagingBytes) {
        this.shape = shape;
        this.width = width;
        this.pieces = pieces;
        this.stagingBytes = Math.max(width, stagingBytes - stagingBytes % width);
    }

    /** Fills {@code dst} (position 0, {@code count} bytes) with the whole tensor's bytes from element {@code first}. */
    void gather(long first, int count, ByteBuffer dst, ChunkedStorage.Reader reader) throws IOException, CheckpointException {
        long elements = count / width;
        int rank = shape.length;
        // Boxes of [first, first + elements): partial rows up, full blocks, partial rows down.
        long start = first;
        long end = first + elements;
        while (start < end) {
            long[] lo = unflatten(start);
            // the largest aligned block starting at `start` that fits before `end`
            int d = rank - 1;
            long block = 1;
            while (d > 0 && lo[d] == 0 && block * shape[d] <= end - start) {
                block *= shape[d];
                d--;
            }
            // along dimension d take as many blocks as fit and as the dimension allows
            long n = Math.min((end - start) / block, shape[d] - lo[d]);
            long[] hi = lo.clone();
            hi[d] = lo[d] + n;
            for (int i = d + 1; i < rank; i++) {
                hi[i] = shape[i];
            }
            for (int i = 0; i < d; i++) {
                hi[i] = lo[i] + 1;
            }
            box(lo, hi, first, dst, reader);
            start += n * block;
        }
    }

    private static long key(long stride) {
        return stride == 0 ? Long.MAX_VALUE : stride;
    }

    private long[] unflatten(long element) {
        long[] idx = new long[shape.length];
        long rest = element;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return idx;
    }

    /** Copies box [lo, hi) of the whole tensor into dst, whose byte 0 is element {@code first}. */
    private void box(long[] lo, long[] hi, long first, ByteBuffer dst, ChunkedStorage.Reader reader)
            throws IOException, CheckpointException {
        int rank = shape.length;
        for (ChunkedStorage.Piece p : pieces) {
            long[] a = new long[rank];
            long[] b = new long[rank];
            boolean empty = false;
            for (int d = 0; d < rank && !empty; d++) {
                a[d] = Math.max(lo[d], p.offsets()[d]);
                b[d] = Math.min(hi[d], p.offsets()[d] + p.sizes()[d]);
                empty = a[d] >= b[d];
            }
            if (!empty) {
                copy(p, a, b, first, dst, reader);
            }
        }
    }

    /** Copies the sub-box [a, b) (whole-tensor coordinates) of piece p. */
    private void copy(ChunkedStorage.Piece p, long[] a, long[] b, long first, ByteBuffer dst,
            ChunkedStorage.Reader reader) throws IOException, CheckpointException {
        int rank = shape.length;
        long[] stride = p.elementStrides();
        // dimensions in storage order: largest stride outermost; ties keep C order
        Integer[] order = new Integer[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = i;
        }
        // (a stride-0 dimension repeats elements: outermost, so that it never breaks a run)
        java.util.Arrays.sort(order, (x, y) -> stride[x] != stride[y]
                ? Long.compare(key(stride[y]), key(stride[x])) : Integer.compare(x, y));
        long[] outStride = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            outStride[d] = s;
            s *= shape[d];
        }
        // innermost dimensions (in storage order) whose box extents make one run in the file
        int runFrom = rank;
        long run = 1;
        while (runFrom > 0) {
            int d = order[runFrom - 1];
            long ext = b[d] - a[d];
            if (ext != 1 && stride[d] != run) {
                break;
            }
            run *= ext;
            runFrom--;
        }
        // the innermost part of the run that is also contiguous in the output: a segment copied in bulk
        long seg = 1;
        for (int k = rank - 1; k >= runFrom; k--) {
            int d = order[k];
            long ext = b[d] - a[d];
            if (ext == 1) {
                continue;
            }
            if (outStride[d] != seg) {
                break;
            }
            seg *= ext;
        }
        long[] idx = a.clone();
        while (true) {
            long storageElem = 0;
            long outElem = 0;
            for (int d = 0; d < rank; d++) {
                storageElem += (idx[d] - p.offsets()[d]) * stride[d];
                outElem += idx[d] * outStride[d];
            }
            // one file run: the dims order[runFrom..] from idx to their box end, read in slices
            copyRun(p, new Run(order, runFrom, a, b, outStride, run, seg), storageElem, outElem - first, dst, reader);
            // next index over the outer dims order[0..runFrom)
            int k = runFrom - 1;
            while (k >= 0) {
                int d = order[k];
                if (++idx[d] < b[d]) {
                    break;
                }
                idx[d] = a[d];
                k--;
            }
            if (k < 0) {
                return;
            }
        }
    }

    /**
     * A run of the box over the dims {@code order[from..]} (storage order), {@code length} elements
     * contiguous in the file, made of segments of {@code segment} elements contiguous in the output.
     */
    private record Run(Integer[] order, int from, long[] a, long[] b, long[] outStride, long length, long segment) {
        /** The output element of run element {@code e}, relative to the run's first. */
        long out(long e) {
            long rest = e;
            long out = 0;
            for (int k = order.length - 1; k >= from && rest > 0; k--) {
                int d = order[k];
                long ext = b[d] - a[d];
                out += (rest % ext) * outStride[d];
                rest /= ext;
            }
            return out;
        }
    }

    /**
     * Copies one run: straight into the output when its segments are long (one read each), else
     * through staging, as many whole segments per read as fit, each put in its place in bulk.
     */
    private void copyRun(ChunkedStorage.Piece p, Run r, long storageElem, long outElem, ByteBuffer dst,
            ChunkedStorage.Reader reader) throws IOException, CheckpointException {
        long seg = r.segment();
        long perRead = stagingBytes / width / seg * seg;
        boolean direct = seg * width >= DIRECT_SEGMENT || perRead == 0;
        ByteBuffer staging = direct ? null : GatherBuffers.local().staging((int) (perRead * width));
        long done = 0;
        while (done < r.length()) {
            long at = Math.addExact(p.dataOffset(), Math.multiplyExact(storageElem + done, (long) width));
            if (direct) {
                // a segment is contiguous in the file and in the output: one read into its place
                reader.read(p, at, dst.slice((int) ((outElem + r.out(done)) * width), (int) (seg * width)));
                done += seg;
                continue;
            }
            long n = Math.min(r.length() - done, perRead);
            staging.clear().limit((int) (n * width));
            reader.read(p, at, staging);
            for (long e = 0; e < n; e += seg) {
                int to = (int) ((outElem + r.out(done + e)) * width);
                dst.put(to, staging, (int) (e * width), (int) (seg * width));
            }
            done += n;
        }
    }
}
