package org.pthconvert.inputs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.StorageBytes;

/**
 * The C-order bytes of a whole tensor that DCP stored as chunks, each chunk at a file offset of a
 * {@code .distcp} file. A tensor is never assembled in memory: transfers go through a bounded
 * window of its C-order bytes, filled by {@link StridedGather} with one positional read per chunk
 * and run (rows of a column split, whole rows of a row split) and written at once; reads of
 * C-contiguous chunks map a position to the chunk holding it and to the longest run contiguous both
 * in the whole tensor and in that chunk, read positionally.
 *
 * <p>A chunk that torch saved as a non-contiguous view (a transposed local shard) has element
 * strides; reads of a tensor with such a chunk are served from the window too (a larger one), so
 * that sequential small reads gather each window once.
 *
 * <p>Chunks must tile the tensor exactly; {@link #check} refuses overlaps, gaps and chunks outside
 * it before anything is read.
 */
final class ChunkedStorage implements StorageBytes {

    /**
     * A chunk: its place in the whole tensor and where its bytes are: element {@code i} of the chunk
     * at {@code dataOffset + width * sum(i[d] * strides[d])}; strides null for C-contiguous.
     */
    record Piece(long[] offsets, long[] sizes, FileChannel channel, Path file, long dataOffset, long[] strides) {
        Piece(long[] offsets, long[] sizes, FileChannel channel, Path file, long dataOffset) {
            this(offsets, sizes, channel, file, dataOffset, null);
        }

        long[] elementStrides() {
            if (strides != null) {
                return strides;
            }
            long[] s = new long[sizes.length];
            long n = 1;
            for (int d = sizes.length - 1; d >= 0; d--) {
                s[d] = n;
                n = Math.multiplyExact(n, sizes[d]);
            }
            return s;
        }

        /** C-contiguous, ignoring the strides of dimensions of size 1 (as torch does). */
        boolean contiguous() {
            if (strides == null) {
                return true;
            }
            long n = 1;
            for (int d = sizes.length - 1; d >= 0; d--) {
                if (sizes[d] != 1 && strides[d] != n) {
                    return false;
                }
                n *= sizes[d];
            }
            return true;
        }

        long numel() {
            long n = 1;
            for (long s : sizes) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }
    }

    /**
     * The window C-contiguous chunks are gathered into: small enough to stay in the CPU's cache
     * between the reads that fill it and the write that empties it (8 MiB windows cost twice the
     * system time of 1 MiB ones on the DCP benchmark), large enough that a column split's rows in
     * it are one read per chunk.
     */
    static final int GATHER_WINDOW = 1 << 20;
    /**
     * The window a tensor with a strided chunk is gathered into: a transposed chunk's file runs are
     * as long as the window has rows, so it is larger.
     */
    static final int WINDOW = 16 << 20;
    private static final int STAGING = 512 << 10;

    /** A positional read of a piece's file that fills {@code dst} or fails naming the file. */
    interface Reader {
        void read(Piece p, long at, ByteBuffer dst) throws IOException, CheckpointException;
    }

    private final String fqn;
    private final long[] shape;
    private final int width;
    private final List<Piece> pieces;
    private final long size;
    /** Gathers any range of the tensor into a window; every read goes through it when a chunk is strided. */
    private final StridedGather gatherer;
    private final boolean strided;
    private final int windowBytes;

    /** Rank-0 tensors are handled as shape [1]. */
    ChunkedStorage(String fqn, long[] shape, int width, List<Piece> pieces) {
        this(fqn, shape, width, pieces, -1, STAGING);
    }

    /** With the window and staging sizes given (tests make them small; -1: the defaults). */
    ChunkedStorage(String fqn, long[] shape, int width, List<Piece> pieces, int windowBytes, int stagingBytes) {
        this.fqn = fqn;
        this.shape = shape.length == 0 ? new long[] {1} : shape;
        this.width = width;
        this.pieces = pieces.stream().map(p -> p.offsets().length == 0
                ? new Piece(new long[] {0}, new long[] {1}, p.channel(), p.file(), p.dataOffset(),
                        p.strides() == null ? null : new long[] {0}) : p).toList();
        long n = 1;
        for (long d : this.shape) {
            n = Math.multiplyExact(n, d);
        }
        this.size = Math.multiplyExact(n, width);
        boolean allContiguous = this.pieces.stream().allMatch(Piece::contiguous);
        int window = windowBytes > 0 ? windowBytes : allContiguous ? GATHER_WINDOW : WINDOW;
        this.windowBytes = (int) Math.min(size, Math.max(width, window - window % width));
        this.strided = !allContiguous;
        this.gatherer = new StridedGather(this.shape, width, this.pieces, stagingBytes);
    }

    /**
     * Every chunk inside the tensor, no two overlapping, together covering it. Pairwise overlap tests
     * are bounded by the caller's limit on chunks per tensor.
     */
    static void check(String fqn, long[] shape, List<Piece> pieces, Path metadata) throws CheckpointException {
        long total = 0;
        long numel = 1;
        for (long d : shape) {
            numel = Math.multiplyExact(numel, d);
        }
        for (int i = 0; i < pieces.size(); i++) {
            Piece a = pieces.get(i);
            for (int d = 0; d < shape.length; d++) {
                if (a.offsets()[d] > shape[d] || a.sizes()[d] > shape[d] - a.offsets()[d]) {
                    throw fail(metadata, fqn, "chunk at " + java.util.Arrays.toString(a.offsets()) + " of size "
                            + java.util.Arrays.toString(a.sizes()) + " lies outside the tensor's shape "
                            + java.util.Arrays.toString(shape));
                }
            }
            if (a.numel() == 0) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                Piece b = pieces.get(j);
                if (b.numel() != 0 && overlap(a, b)) {
                    throw fail(metadata, fqn, "chunks at " + java.util.Arrays.toString(b.offsets()) + " and "
                            + java.util.Arrays.toString(a.offsets()) + " overlap");
                }
            }
            total = Math.addExact(total, a.numel());
        }
        if (total != numel) {
            throw fail(metadata, fqn, "its chunks cover " + total + " of its " + numel + " elements (a chunk is missing)");
        }
    }

    private static boolean overlap(Piece a, Piece b) {
        for (int d = 0; d < a.offsets().length; d++) {
            if (a.offsets()[d] >= b.offsets()[d] + b.sizes()[d] || b.offsets()[d] >= a.offsets()[d] + a.sizes()[d]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long size() { return size; }

    @Override
    public boolean inPlace() { return true; }

    /** A run: {@code count} bytes of the whole tensor at a file offset of one chunk. */
    private record Run(Piece piece, long fileOffset, long count) {
    }

    /** The run that starts at byte {@code position} of the whole tensor. */
    private Run runAt(long position) throws CheckpointException {
        long element = position / width;
        int within = (int) (position % width);
        int rank = shape.length;
        long[] idx = new long[rank];
        long rest = element;
        for (int d = rank - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        for (Piece p : pieces) {
            if (!contains(p, idx)) {
                continue;
            }
            // k: the outermost dimension below which the chunk spans the whole tensor.
            int k = rank - 1;
            while (k > 0 && p.sizes()[k] == shape[k]) {
                k--;
            }
            long inner = 1;
            for (int d = k + 1; d < rank; d++) {
                inner *= shape[d];
            }
            long intoBlock = element % inner;
            long runElements = (p.offsets()[k] + p.sizes()[k] - idx[k]) * inner - intoBlock;
            long local = 0;
            for (int d = 0; d < rank; d++) {
                local = local * p.sizes()[d] + (idx[d] - p.offsets()[d]);
            }
            return new Run(p, p.dataOffset() + local * width + within, runElements * width - within);
        }
        throw fail(null, fqn, "no chunk holds byte " + position); // excluded by check()
    }

    private static boolean contains(Piece p, long[] idx) {
        for (int d = 0; d < idx.length; d++) {
            if (idx[d] < p.offsets()[d] || idx[d] >= p.offsets()[d] + p.sizes()[d]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException, CheckpointException {
        checkRange(position, dst.remaining());
        if (strided) {
            readWindowed(position, dst);
            return;
        }
        long pos = position;
        while (dst.hasRemaining()) {
            Run r = runAt(pos);
            int n = (int) Math.min(r.count(), dst.remaining());
            int limit = dst.limit();
            dst.limit(dst.position() + n);
            long at = r.fileOffset();
            while (dst.hasRemaining()) {
                int got = r.piece().channel().read(dst, at);
                if (got < 0) {
                    dst.limit(limit);
                    throw truncated(r.piece(), at);
                }
                at += got;
            }
            dst.limit(limit);
            pos += n;
        }
    }

    /**
     * Always through this thread's window: each chunk's part of a window is one positional read
     * (rows of a column split, or a run of whole rows), and the window one write. On the DCP benchmark
     * (2 GiB by 2 ranks, Linux, ext4) this took less system time than {@code transferTo} of each
     * contiguous run, which the JDK does with sendfile through a pipe: 0.73-0.88 s against 0.92-1.25 s.
     */
    @Override
    public void transferTo(long position, long count, FileChannel out) throws IOException, CheckpointException {
        checkRange(position, count);
        GatherBuffers g = GatherBuffers.local();
        long pos = position;
        long left = count;
        while (left > 0) {
            int at = windowAt(g, pos);
            int n = (int) Math.min(left, g.length - at);
            write(g, at, n, out);
            pos += n;
            left -= n;
        }
    }

    private void readWindowed(long position, ByteBuffer dst) throws IOException, CheckpointException {
        GatherBuffers g = GatherBuffers.local();
        long pos = position;
        while (dst.hasRemaining()) {
            int at = windowAt(g, pos);
            int n = Math.min(dst.remaining(), g.length - at);
            dst.put(g.window(windowBytes).slice(at, n));
            pos += n;
        }
    }

    private void write(GatherBuffers g, int at, int n, FileChannel out) throws IOException {
        ByteBuffer b = g.window(windowBytes).slice(at, n);
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Makes this thread's window hold byte {@code pos} of the tensor; returns its index in the window. */
    private int windowAt(GatherBuffers g, long pos) throws IOException, CheckpointException {
        if (g.owner != this || pos < g.start || pos >= g.start + g.length) {
            ByteBuffer window = g.window(windowBytes);
            long start = pos - pos % width;
            int length = (int) Math.min(windowBytes, size - start);
            g.owner = null; // a failed gather leaves no stale window
            gatherer.gather(start / width, length, window, this::readAt);
            g.owner = this;
            g.start = start;
            g.length = length;
        }
        return (int) (pos - g.start);
    }

    private void readAt(Piece p, long at, ByteBuffer dst) throws IOException, CheckpointException {
        long pos = at;
        while (dst.hasRemaining()) {
            int got = p.channel().read(dst, pos);
            if (got < 0) {
                throw truncated(p, pos);
            }
            pos += got;
        }
    }

    private void checkRange(long position, long count) throws CheckpointException {
        if (position < 0 || count < 0 || position > size || count > size - position) {
            throw fail(null, fqn, "read of " + count + " bytes at " + position + " past the tensor's " + size + " bytes");
        }
    }

    private CheckpointException truncated(Piece p, long at) {
        return CheckpointException.of(Reason.INVALID, "the file ends at byte " + at + ", inside a chunk of this tensor: truncated (or changed while read)").inFile(p.file()).at(null, at).forTensor(fqn);
    }

    private static CheckpointException fail(Path file, String fqn, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).at(DcpMetadata.RECORD, -1).forTensor(fqn);
    }

    @Override
    public String toString() {
        return "ChunkedStorage[" + fqn + ", " + pieces.size() + " chunks]";
    }
}
