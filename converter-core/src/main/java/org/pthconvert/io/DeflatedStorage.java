package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * A storage held in a DEFLATED zip record (files re-zipped by other tools, TorchScript archives).
 *
 * <p>Access pattern and cost: reads that only move forward (every contiguous tensor, and most
 * strided ones) inflate the record once, sequentially, through a {@link BoundedInflaterStream}
 * with 64 KiB of input buffer; skipping forward inflates and discards. The first read that goes
 * <em>backwards</em> (a transposed view, several tensors sharing the storage, a second pass)
 * inflates the whole record once into a temporary file under {@code java.io.tmpdir}, which then
 * serves every later read by position. It is opened with {@code DELETE_ON_CLOSE}, which on POSIX
 * systems unlinks it at once (nothing is left behind even if the JVM dies) and elsewhere deletes it
 * on {@link #close()}. So memory stays bounded, the record is inflated at most twice, and the disk
 * holds at most one copy of it (the zip reader has already refused records claiming more than
 * deflate's maximum ratio of about 1032:1).
 *
 * <p>The CRC-32 is checked whenever inflation reaches the end of the record (always when spilling).
 * Not thread-safe in its streaming phase: methods are synchronized.
 */
public final class DeflatedStorage implements StorageBytes {
    private static final int COPY_BUFFER = 1 << 16;

    private final ByteSource channel;
    private final long dataOffset;
    private final long compressedSize;
    private final long size;
    private final long crc;
    private final Path file;
    private final String record;
    private BoundedInflaterStream stream;
    private FileChannel spill;
    private Path spillPath;
    private byte[] scratch;
    private boolean closed;

    /**
     * @param dataOffset     file offset of the compressed data
     * @param compressedSize compressed bytes, from the zip directory
     * @param size           uncompressed bytes, from the zip directory
     * @param crc            CRC-32 from the zip directory, or {@link ChannelRangeStream#NO_CRC}
     */
    public DeflatedStorage(ByteSource channel, long dataOffset, long compressedSize, long size, long crc,
                           Path file, String record) {
        if (dataOffset < 0 || compressedSize < 0 || size < 0 || dataOffset > Long.MAX_VALUE - compressedSize) {
            throw new IllegalArgumentException("bad deflated record range");
        }
        this.channel = channel;
        this.dataOffset = dataOffset;
        this.compressedSize = compressedSize;
        this.size = size;
        this.crc = crc;
        this.file = file;
        this.record = record;
    }

    @Override
    public long size() { return size; }

    @Override
    public boolean inPlace() { return false; }

    /** The directory's CRC, which the container checked before handing this storage out. */
    @Override
    public OptionalLong declaredCrc32() {
        return crc == ChannelRangeStream.NO_CRC ? OptionalLong.empty() : OptionalLong.of(crc);
    }

    /** True once the record has been inflated to a temporary file. */
    public synchronized boolean spilled() { return spill != null; }

    @Override
    public synchronized void read(long position, ByteBuffer dst) throws IOException, CheckpointException {
        checkRange(position, dst.remaining());
        if (dst.remaining() == 0) {
            return;
        }
        FileChannel random = randomAccess(position);
        if (random != null) {
            long at = position;
            while (dst.hasRemaining()) {
                int n = random.read(dst, at);
                if (n < 0) {
                    throw new IOException("temporary file " + spillPath + " is shorter than expected");
                }
                at += n;
            }
            return;
        }
        try {
            while (dst.hasRemaining()) {
                int n;
                if (dst.hasArray()) {
                    n = stream.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                    if (n > 0) {
                        dst.position(dst.position() + n);
                    }
                } else {
                    byte[] b = scratch();
                    n = stream.read(b, 0, Math.min(b.length, dst.remaining()));
                    if (n > 0) {
                        dst.put(b, 0, n);
                    }
                }
                if (n < 0) {
                    throw CheckpointException.of(Reason.INVALID, "the record ends early").inFile(file).at(record, stream.position());
                }
            }
        } catch (CheckpointIOException e) {
            throw e.problem();
        }
    }

    @Override
    public synchronized void transferTo(long position, long count, FileChannel out)
            throws IOException, CheckpointException {
        checkRange(position, count);
        if (count == 0) {
            return;
        }
        FileChannel random = randomAccess(position);
        if (random != null) {
            long at = position;
            long left = count;
            while (left > 0) {
                long n = random.transferTo(at, left, out);
                if (n <= 0) {
                    throw new IOException("temporary file " + spillPath + " is shorter than expected");
                }
                at += n;
                left -= n;
            }
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(scratch());
        long left = count;
        long at = position;
        while (left > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), left));
            read(at, buf);
            buf.flip();
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            at += buf.limit();
            left -= buf.limit();
        }
    }

    /**
     * Positions the stream at {@code position}, or returns the spill file if reading must go back.
     * Returns null when the stream is ready at {@code position}.
     */
    private FileChannel randomAccess(long position) throws IOException, CheckpointException {
        if (closed) {
            throw new IOException("storage " + record + " is closed");
        }
        if (spill != null) {
            return spill;
        }
        if (stream != null && position < stream.position()) {
            spillToTempFile();
            return spill;
        }
        if (stream == null) {
            stream = openStream();
        }
        try {
            long skip = position - stream.position();
            byte[] b = scratch();
            while (skip > 0) {
                int n = stream.read(b, 0, (int) Math.min(b.length, skip));
                if (n < 0) {
                    throw CheckpointException.of(Reason.INVALID, "the record ends early").inFile(file).at(record, stream.position());
                }
                skip -= n;
            }
        } catch (CheckpointIOException e) {
            throw e.problem();
        }
        return null;
    }

    private BoundedInflaterStream openStream() {
        return new BoundedInflaterStream(
                new ChannelRangeStream(channel, dataOffset, compressedSize, file, record, ChannelRangeStream.NO_CRC),
                size, crc, file, record);
    }

    private void spillToTempFile() throws IOException, CheckpointException {
        closeStream();
        Path tmp = Files.createTempFile("pthconvert-", ".inflated");
        FileChannel ch;
        try {
            ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (BoundedInflaterStream in = openStream()) {
            byte[] b = new byte[1 << 20];
            ByteBuffer buf = ByteBuffer.wrap(b);
            int n;
            while ((n = in.read(b, 0, b.length)) >= 0) {
                buf.clear().limit(n);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        } catch (CheckpointIOException e) {
            ch.close();
            throw e.problem();
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot inflate " + record + " to a temporary file under "
                    + tmp.getParent() + ": " + e.getMessage(), e);
        }
        spill = ch;
        spillPath = tmp;
    }

    private byte[] scratch() {
        if (scratch == null) {
            scratch = new byte[COPY_BUFFER];
        }
        return scratch;
    }

    private void checkRange(long position, long count) throws CheckpointException {
        if (position < 0 || count < 0 || position > size || count > size - position) {
            throw CheckpointException.of(Reason.INVALID, "read of " + count + " bytes at " + position + " goes past the end of the storage ("
                    + size + " bytes)").inFile(file).at(record, position);
        }
    }

    private void closeStream() throws IOException {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    /** Ends the inflater and deletes the temporary file, if any. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        closeStream();
        if (spill != null) {
            spill.close();
            Files.deleteIfExists(spillPath);
            spill = null;
        }
    }

    @Override
    public String toString() {
        return "DeflatedStorage[" + record + " @" + dataOffset + ", " + compressedSize + " -> " + size + "]";
    }
}
