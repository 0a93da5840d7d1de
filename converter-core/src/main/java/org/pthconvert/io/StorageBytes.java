package org.pthconvert.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.OptionalLong;

import org.pthconvert.errors.CheckpointException;

/**
 * Random access to the raw bytes of one storage record, in the file's own byte order.
 * Implementations: bytes in place in the checkpoint file, or a deflated record read through a
 * bounded stream.
 */
public interface StorageBytes extends Closeable {

    /** Size of the record in bytes. */
    long size();

    /** Fills {@code dst} from storage byte {@code position} on; fails if the record ends first. */
    void read(long position, ByteBuffer dst) throws IOException, CheckpointException;

    /**
     * Copies {@code count} bytes from {@code position} to {@code out}. In-place records use
     * {@link FileChannel#transferTo}; others copy through a small buffer.
     */
    void transferTo(long position, long count, FileChannel out) throws IOException, CheckpointException;

    /** True when bytes can be copied file to file without the heap (in place, not compressed). */
    boolean inPlace();

    /**
     * The CRC-32 the container's directory declares for exactly these {@link #size()} bytes, when it
     * declares one (a zip record). Not checked against the bytes here: see {@link TensorSource#declaredCrc32()}.
     */
    default OptionalLong declaredCrc32() {
        return OptionalLong.empty();
    }

    @Override
    default void close() throws IOException {
    }
}
