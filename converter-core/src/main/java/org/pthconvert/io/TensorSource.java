package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.OptionalLong;

import org.pthconvert.errors.CheckpointException;

/**
 * The bytes of one tensor, C-contiguous and little-endian, produced on demand. Nothing is read
 * until a writer asks; a source can be read more than once.
 */
public interface TensorSource {

    /** Exactly how many bytes {@link #transferTo} writes and {@link #forEachChunk} delivers. */
    long byteLength();

    /**
     * Appends the bytes at {@code out}'s position, moving it forward. Contiguous little-endian views
     * go file to file without passing through the Java heap.
     */
    void transferTo(FileChannel out) throws IOException, CheckpointException;

    /**
     * Hands the bytes over in order, in chunks of bounded size. The buffer is reused between calls:
     * the consumer must take what it needs before returning.
     */
    void forEachChunk(ChunkConsumer consumer) throws IOException, CheckpointException;

    /**
     * Puts the {@link #byteLength()} bytes into {@code dst} at its position, moving it forward, and
     * never writes past them: {@link java.nio.BufferOverflowException} if {@code dst} has less room or
     * the source gives more. For small tensors gathered into one buffer: a contiguous view reads
     * straight into it, with no chunk buffer of its own.
     */
    default void readFully(ByteBuffer dst) throws IOException, CheckpointException {
        ByteBuffer slot = slotFor(dst, byteLength());
        forEachChunk(new CopyInto(slot));
        dst.position(dst.position() + slot.position());
    }

    /** The next {@code length} bytes of {@code dst}, as their own buffer ({@link #readFully}'s bound). */
    static ByteBuffer slotFor(ByteBuffer dst, long length) {
        requireRoom(dst, length);
        return dst.slice(dst.position(), (int) length);
    }

    /** {@link java.nio.BufferOverflowException} unless {@code dst} has room for {@code length} more bytes. */
    static void requireRoom(ByteBuffer dst, long length) {
        if (dst.remaining() < length) {
            throw new java.nio.BufferOverflowException();
        }
    }

    /**
     * The CRC-32 of exactly the bytes this source gives, as the checkpoint's zip directory declares it
     * for the storage record they are, whole and unchanged (no slice, no byte swap, no cast); empty
     * otherwise. A zip writer copying the bytes file to file takes it instead of reading its copy back
     * (a second pass over every byte). The value is the file's word, not checked here: torch.load does
     * not check stored records' CRCs either, so a record whose bytes do not match it loads all the
     * same, and its copy then carries the same mismatch, which zip tools report as they would for the
     * source.
     */
    default OptionalLong declaredCrc32() {
        return OptionalLong.empty();
    }

    /** Receives one chunk, positioned at its first byte and limited at its last. */
    @FunctionalInterface
    interface ChunkConsumer {
        void accept(ByteBuffer chunk) throws IOException, CheckpointException;
    }
}
