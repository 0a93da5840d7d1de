package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * A storage whose bytes lie uncompressed in the checkpoint file (a STORED zip record, or a legacy
 * storage): {@code size} bytes from file offset {@code dataOffset}. Reads are positional, so any
 * number of sources may read one storage, from any thread, in any order; copies to a file use
 * {@link FileChannel#transferTo} and never pass through the Java heap when the source is a local
 * file (other sources copy through a buffer).
 *
 * <p>The source belongs to the container: {@link #close()} leaves it open.
 */
public final class InPlaceStorage implements StorageBytes {
    private static final int COPY_BUFFER = 1 << 20;

    private final ByteSource channel;
    private final long dataOffset;
    private final long size;
    private final Path file;
    /** The record's name, or its folder when {@link #recordKey} is not null. */
    private final String record;
    private final String recordKey;
    private final long crc;

    /**
     * @param record name for error messages, e.g. {@code archive/data/0}
     * @throws IllegalArgumentException if the range is negative or overflows (the container
     *                                  validates ranges against the file before making one)
     */
    public InPlaceStorage(ByteSource channel, long dataOffset, long size, Path file, String record) {
        this(channel, dataOffset, size, file, record, ChannelRangeStream.NO_CRC);
    }

    /**
     * A STORED zip record whose directory declares CRC-32 {@code crc} ({@link ChannelRangeStream#NO_CRC}
     * for none).
     */
    public InPlaceStorage(ByteSource channel, long dataOffset, long size, Path file, String record, long crc) {
        this(channel, dataOffset, size, file, record, null, crc);
    }

    /**
     * A STORED zip record named {@code folder + key} ({@code archive/data/} and {@code 0}): the name is
     * made only for a message, since a checkpoint of 100,000 tensors opens 200,000 storages.
     */
    public InPlaceStorage(ByteSource channel, long dataOffset, long size, Path file, String folder, String key,
                          long crc) {
        if (dataOffset < 0 || size < 0 || dataOffset > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException("bad storage range " + dataOffset + "+" + size);
        }
        this.channel = channel;
        this.dataOffset = dataOffset;
        this.size = size;
        this.file = file;
        this.record = folder;
        this.recordKey = key;
        this.crc = crc;
    }

    private String recordName() {
        return recordKey == null ? record : record + recordKey;
    }

    @Override
    public OptionalLong declaredCrc32() {
        return crc == ChannelRangeStream.NO_CRC ? OptionalLong.empty() : OptionalLong.of(crc);
    }

    /** File offset of the first byte. */
    public long dataOffset() { return dataOffset; }

    @Override
    public long size() { return size; }

    @Override
    public boolean inPlace() { return true; }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException, CheckpointException {
        long count = dst.remaining();
        checkRange(position, count);
        long at = dataOffset + position;
        while (dst.hasRemaining()) {
            int n = channel.read(at, dst);
            if (n < 0) {
                throw truncated(at);
            }
            at += n;
        }
    }

    @Override
    public void transferTo(long position, long count, FileChannel out) throws IOException, CheckpointException {
        checkRange(position, count);
        long at = dataOffset + position;
        long left = count;
        FileChannel in = channel.fileChannel().orElse(null);
        if (in == null) {
            copyThroughHeap(at, left, out);
            return;
        }
        while (left > 0) {
            long n = in.transferTo(at, left, out);
            if (n <= 0) {
                if (in.size() < at + left) {
                    throw truncated(Math.max(at, in.size()));
                }
                copyThroughHeap(at, left, out);
                return;
            }
            at += n;
            left -= n;
        }
    }

    /** For sources without a file channel, and if {@code transferTo} stops moving bytes although the data is there. */
    private void copyThroughHeap(long at, long count, FileChannel out) throws IOException, CheckpointException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(COPY_BUFFER, count));
        long pos = at;
        long left = count;
        while (left > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), left));
            while (buf.hasRemaining()) {
                int n = channel.read(pos + buf.position(), buf);
                if (n < 0) {
                    throw truncated(pos + buf.position());
                }
            }
            buf.flip();
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            pos += buf.limit();
            left -= buf.limit();
        }
    }

    private void checkRange(long position, long count) throws CheckpointException {
        if (position < 0 || count < 0 || position > size || count > size - position) {
            throw CheckpointException.of(Reason.INVALID, "read of " + count + " bytes at " + position + " goes past the end of the storage ("
                    + size + " bytes)").inFile(file).at(recordName(), position);
        }
    }

    private CheckpointException truncated(long fileOffset) {
        return CheckpointException.of(Reason.INVALID, "the file ends at byte " + fileOffset + ", inside this record: the file is truncated"
                + " (or changed while being read)").inFile(file).at(recordName(), fileOffset - dataOffset);
    }

    @Override
    public String toString() {
        return "InPlaceStorage[" + recordName() + " @" + dataOffset + "+" + size + "]";
    }
}
