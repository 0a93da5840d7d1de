package org.pthconvert.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A file on any Hadoop file system as a read-only {@link SeekableByteChannel}, read in place: every
 * read is one positional {@code readFully(pos, ...)} ({@code PositionedReadable}), which HDFS serves
 * from the block holding that range and object stores as a ranged GET; nothing is copied to local
 * disk first. The length is fixed when the file is opened (a checkpoint does not change under a job).
 */
final class HadoopReadChannel implements SeekableByteChannel {
    /** The most one read asks for at once: bounds the heap a direct buffer costs to copy through. */
    private static final int MAX_READ = 1 << 20;

    private final FSDataInputStream in;
    private final long size;
    private long position;
    private boolean open = true;

    private HadoopReadChannel(FSDataInputStream in, long size) {
        this.in = in;
        this.size = size;
    }

    static HadoopReadChannel open(FileSystem fs, Path file) throws IOException {
        long size = fs.getFileStatus(file).getLen();
        return new HadoopReadChannel(fs.open(file), size);
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(Math.min(dst.remaining(), MAX_READ), size - position);
        if (n == 0) {
            return 0;
        }
        if (dst.hasArray()) {
            in.readFully(position, dst.array(), dst.arrayOffset() + dst.position(), n);
            dst.position(dst.position() + n);
        } else {
            byte[] buf = new byte[n];
            in.readFully(position, buf, 0, n);
            dst.put(buf);
        }
        position = Math.addExact(position, n);
        return n;
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return size;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long newSize) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() throws IOException {
        if (open) {
            open = false;
            in.close();
        }
    }

    private void ensureOpen() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
