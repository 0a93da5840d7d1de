package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.OptionalLong;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.TensorView;

/**
 * The bytes of one tensor view, C-contiguous and little-endian, read from its storage on demand.
 *
 * <p>A contiguous little-endian view (or any one-byte type) is a single byte range of the storage:
 * {@link #transferTo} hands it to {@link StorageBytes#transferTo} (file to file for in-place
 * records) and {@link #forEachChunk} reads it in {@value #CHUNK}-byte chunks. Anything else
 * (transposed, sliced, expanded, channels_last, big-endian) goes through {@link StridedGather}
 * with fixed buffers: nothing is allocated in proportion to the tensor. Big-endian data is swapped
 * as torch.load swaps it: the whole storage by its own dtype's {@link org.pthconvert.dtype.Dtype#swapUnit()}
 * (each half of a complex number on its own), so an untyped storage (uint16, uint32, uint64 tensors)
 * is not swapped at all. A view whose dtype swaps by another unit than its storage's is refused before
 * it gets here ({@link #swapUnit}).
 *
 * <p>The view's bounds against the storage are the caller's to check (a read past the storage
 * fails with a {@link CheckpointException} from the storage). A zero-size view yields no bytes,
 * a 0-d view one element.
 */
public final class ViewSource implements TensorSource {
    /** Size of the reused chunk buffer. */
    public static final int CHUNK = 1 << 20;

    private final StorageBytes bytes;
    private final TensorView view;
    private final ViewLayout layout;
    private final int width;
    private final int swapUnit;
    private final long byteLength;

    /**
     * @throws IllegalArgumentException if the view's sizes overflow or a stride is negative; the
     *                                  caller has validated the view, so this is a programming error
     */
    public ViewSource(StorageBytes bytes, TensorView view, ByteOrder order) {
        this.bytes = bytes;
        this.view = view;
        this.width = view.dtype().byteWidth();
        this.swapUnit = swapUnit(view, order);
        if (swapsAcrossElements(view, order)) {
            throw new IllegalArgumentException("a " + view.dtype() + " view of a big-endian " + view.storage().dtype()
                    + " storage: the caller refuses it");
        }
        try {
            this.layout = ViewLayout.of(view);
            this.byteLength = Math.multiplyExact(layout.numel(), (long) width);
            if (layout.numel() > 0) {
                Math.multiplyExact(Math.addExact(view.storageOffset(), layout.span(0)), (long) width);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor view " + view.shape() + " stride " + view.strides()
                    + " overflows", e);
        }
        if (view.storageOffset() < 0) {
            throw new IllegalArgumentException("negative storage offset " + view.storageOffset());
        }
    }

    /**
     * The unit torch.load swaps {@code view}'s storage by: 1 for a little-endian file, for one-byte
     * types and for an untyped storage ({@code torch.load} swaps a storage by its pickled class's dtype,
     * and {@code UntypedStorage}'s is uint8; torch 2.13, serialization.py {@code persistent_load}).
     */
    public static int swapUnit(TensorView view, ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? view.storage().dtype().swapUnit() : 1;
    }

    /**
     * Whether torch.load would swap {@code view}'s storage in groups that are not the view's elements
     * (an int16 view of a big-endian FloatStorage): bytes this class does not reproduce.
     */
    public static boolean swapsAcrossElements(TensorView view, ByteOrder order) {
        int unit = swapUnit(view, order);
        return unit > 1 && unit != view.dtype().swapUnit();
    }

    public TensorView view() { return view; }

    @Override
    public long byteLength() { return byteLength; }

    /** True when the bytes go out as one unmodified range of the storage. */
    public boolean isDirectCopy() { return layout.contiguous() && swapUnit == 1; }

    @Override
    public OptionalLong declaredCrc32() {
        boolean whole = isDirectCopy() && layout.offset() == 0 && byteLength == bytes.size();
        return whole ? bytes.declaredCrc32() : OptionalLong.empty();
    }

    @Override
    public void transferTo(FileChannel out) throws IOException, CheckpointException {
        if (byteLength == 0) {
            return;
        }
        if (isDirectCopy()) {
            bytes.transferTo(Math.multiplyExact(layout.offset(), (long) width), byteLength, out);
            return;
        }
        forEachChunk(chunk -> {
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        });
    }

    @Override
    public void readFully(ByteBuffer dst) throws IOException, CheckpointException {
        if (!isDirectCopy()) {
            TensorSource.super.readFully(dst);
            return;
        }
        // The buffer's limit narrowed to this tensor's bytes for the read, not a slice of it: a slice is
        // an object per tensor (100,000 in some checkpoints).
        TensorSource.requireRoom(dst, byteLength);
        int limit = dst.limit();
        dst.limit(dst.position() + (int) byteLength);
        try {
            bytes.read(Math.multiplyExact(layout.offset(), (long) width), dst);
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public void forEachChunk(ChunkConsumer consumer) throws IOException, CheckpointException {
        if (byteLength == 0) {
            return;
        }
        int capacity = (int) Math.min(CHUNK, roundUp(byteLength));
        ChunkWriter out = new ChunkWriter(capacity, consumer, swapUnit);
        new StridedGather(bytes, layout, width).run(out);
    }

    /** A buffer no larger than the tensor, but a whole number of elements (and of 16 bytes). */
    private static long roundUp(long n) {
        return (n + 15) & ~15L;
    }

    @Override
    public String toString() {
        return "ViewSource[" + view.dtype() + " " + view.shape() + " stride " + view.strides() + " +"
                + view.storageOffset() + "]";
    }
}
