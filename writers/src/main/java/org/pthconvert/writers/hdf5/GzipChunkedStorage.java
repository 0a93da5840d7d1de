package org.pthconvert.writers.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;

import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.indexing.ChunkImpl;
import io.jhdf.dataset.chunked.indexing.FixedArrayIndexWriter;
import io.jhdf.object.message.DataLayoutMessage.ChunkedDataLayoutMessageV4;
import io.jhdf.object.message.FilterPipelineMessage;
import io.jhdf.object.message.Message;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.writers.WriterFailures;

/**
 * Chunked layout with the deflate filter, like h5py's {@code compression="gzip"} (level 4, no
 * shuffle). Chunks are shaped {@code (1, .., 1, k, d[j+1], .., d[n-1])}: each is then one run of
 * the C-order byte stream, so the tensor streams through one chunk buffer (at most
 * {@value #TARGET_BYTES} bytes) and is deflated chunk by chunk; a chunk cut short by the edge is
 * padded with zeros, as HDF5 stores edge chunks. The chunk index (one chunk: the single-chunk index;
 * more: an unpaged fixed array) follows the chunks.
 */
final class GzipChunkedStorage implements DataStorage {

    static final int TARGET_BYTES = 1 << 20;
    static final int LEVEL = 4;
    private static final int DEFLATE_ID = 1;

    private final int elementSize;
    private final int[] chunkDims;
    private final long rowsAlongSplit;   // dims[j]
    private final int rowsPerChunk;      // k
    private final long rowBytes;         // bytes of one step along axis j
    private final long chunks;
    private final int pageBits;
    private final List<Chunk> written = new ArrayList<>();
    private long address = ObjectHeaders.UNDEFINED_ADDRESS;
    private int singleChunkSize;

    private GzipChunkedStorage(long[] dims, int elementSize) {
        this.elementSize = elementSize;
        int rank = dims.length;
        int j = rank - 1;
        long inner = elementSize;
        // the outermost axis j whose inner block (axes after j) fits the target
        long[] innerBytes = new long[rank];
        long acc = elementSize;
        for (int i = rank - 1; i >= 0; i--) {
            innerBytes[i] = acc;
            acc = Math.multiplyExact(acc, dims[i]);
        }
        for (int i = 0; i < rank; i++) {
            if (innerBytes[i] <= TARGET_BYTES) {
                j = i;
                inner = innerBytes[i];
                break;
            }
        }
        this.rowBytes = inner;
        this.rowsAlongSplit = dims[j];
        this.rowsPerChunk = (int) Math.max(1, Math.min(dims[j], TARGET_BYTES / inner));
        this.chunkDims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            chunkDims[i] = i < j ? 1 : i == j ? rowsPerChunk : Math.toIntExact(dims[i]);
            count = Math.multiplyExact(count, i < j ? dims[i] : i == j ? ceilDiv(dims[j], rowsPerChunk) : 1);
        }
        this.chunks = count;
        this.pageBits = Math.max(10, 64 - Long.numberOfLeadingZeros(Math.max(0, count - 1)));
    }

    /** Gzip-chunked storage, or contiguous where HDF5 allows no chunks (rank 0) or there is no data. */
    static DataStorage of(long[] dims, int elementSize, long byteSize) {
        if (dims.length == 0 || byteSize == 0) {
            return new ContiguousStorage(byteSize);
        }
        return new GzipChunkedStorage(dims, elementSize);
    }

    /** Whether a tensor of this shape can be written gzip-chunked: the chunk index has limits. */
    static boolean fits(long[] dims, int elementSize) {
        if (dims.length == 0 || Arrays.stream(dims).anyMatch(d -> d == 0)) {
            return true;
        }
        try {
            return new GzipChunkedStorage(dims, elementSize).chunks <= Integer.MAX_VALUE / 16;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private int chunkBytes() {
        return Math.toIntExact(rowsPerChunk * rowBytes);
    }

    private int[] layoutDims() {
        int[] d = Arrays.copyOf(chunkDims, chunkDims.length + 1);
        d[chunkDims.length] = elementSize;
        return d;
    }

    @Override
    public List<Message> messages() {
        Message pipeline = FilterPipelineMessage.create(List.of(
                new FilterPipelineMessage.FilterInfo(DEFLATE_ID, "deflate", false, new int[] {LEVEL})));
        Message layout = chunks == 1
                ? ChunkedDataLayoutMessageV4.createFilteredSingleChunk(address, layoutDims(), singleChunkSize)
                : ChunkedDataLayoutMessageV4.createFixedArray(address, layoutDims(), pageBits);
        return List.of(pipeline, layout);
    }

    @Override
    public long write(FileChannel out, long at, TensorSource bytes, String tensor)
            throws IOException, CheckpointException {
        ChunkSink sink = new ChunkSink(out, at);
        bytes.forEachChunk(sink::accept);
        sink.end(tensor);
        if (written.size() != chunks) {
            throw WriterFailures.invalid(tensor, "source gave " + written.size() + " of " + chunks + " chunks");
        }
        if (chunks == 1) {
            address = written.get(0).getAddress();
            singleChunkSize = written.get(0).getSize();
            return sink.position;
        }
        address = sink.position;
        ByteBuffer index = FixedArrayIndexWriter.createFixedArray(written, address, chunkBytes(), true, pageBits);
        Hdf5Layout.writeFully(out, index, address);
        return Math.addExact(address, index.limit());
    }

    /** Gathers the stream into chunk-sized runs, pads edge chunks, deflates and writes each. */
    private final class ChunkSink {
        private final FileChannel out;
        private final byte[] chunk = new byte[chunkBytes()];
        private final Deflater deflater = new Deflater(LEVEL);
        private byte[] packed = new byte[chunkBytes() + chunkBytes() / 8 + 64];
        private long position;
        private int filled;
        private long along;   // chunk number along axis j, within the current outer block

        ChunkSink(FileChannel out, long at) {
            this.out = out;
            this.position = at;
        }

        private int expected() {
            long rows = Math.min(rowsPerChunk, rowsAlongSplit - along * rowsPerChunk);
            return Math.toIntExact(rows * rowBytes);
        }

        void accept(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (written.size() >= chunks) {
                    throw new IOException("the source gave more bytes than the tensor holds");
                }
                int n = Math.min(b.remaining(), expected() - filled);
                b.get(chunk, filled, n);
                filled += n;
                if (filled == expected()) {
                    flush();
                }
            }
        }

        private void flush() throws IOException {
            Arrays.fill(chunk, filled, chunk.length, (byte) 0);
            deflater.reset();
            deflater.setInput(chunk, 0, chunk.length);
            deflater.finish();
            int size = 0;
            while (!deflater.finished()) {
                if (size == packed.length) {
                    packed = Arrays.copyOf(packed, Math.addExact(packed.length, packed.length / 2));
                }
                size += deflater.deflate(packed, size, packed.length - size);
            }
            Hdf5Layout.writeFully(out, ByteBuffer.wrap(packed, 0, size), position);
            written.add(new ChunkImpl(position, size, new long[0]));
            position = Math.addExact(position, size);
            filled = 0;
            along = along + 1 == ceilDiv(rowsAlongSplit, rowsPerChunk) ? 0 : along + 1;
        }

        void end(String tensor) throws CheckpointException {
            deflater.end();
            if (filled != 0) {
                throw WriterFailures.invalid(tensor, "source ended inside a chunk");
            }
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
