package org.pthconvert.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only {@link FileChannel} over any {@link SeekableByteChannel} (a file on a remote file
 * system, read in place), so that the containers, which read through positional {@code FileChannel}
 * reads, need no second code path. Positional reads seek and read under one lock; the channel keeps
 * its own relative position. Local files never come here: they stay real {@code FileChannel}s
 * (zero-copy {@code transferTo}).
 */
final class ReadOnlyFileChannel extends FileChannel {
    /** Bounded copy buffer for {@link #transferTo}: the heap holds at most this much per call. */
    private static final int COPY_CHUNK = 1 << 20;

    private final SeekableByteChannel source;
    private final Object lock = new Object();
    private long position;

    ReadOnlyFileChannel(SeekableByteChannel source) {
        this.source = source;
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        if (at < 0) {
            throw new IllegalArgumentException("negative position " + at);
        }
        synchronized (lock) {
            ensureOpen();
            if (at >= source.size()) {
                return -1;
            }
            source.position(at);
            return source.read(dst);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (lock) {
            int n = read(dst, position);
            if (n > 0) {
                position = Math.addExact(position, n);
            }
            return n;
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) {
                continue;
            }
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
        long size = size();
        long end = Math.min(size, Math.addExact(at, count));
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(COPY_CHUNK, Math.max(0, end - at)));
        long done = 0;
        while (at + done < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - at - done));
            int n = read(buf, at + done);
            if (n <= 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                target.write(buf);
            }
            done += n;
        }
        return done;
    }

    @Override
    public long position() throws IOException {
        synchronized (lock) {
            ensureOpen();
            return position;
        }
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        synchronized (lock) {
            ensureOpen();
            position = newPosition;
            return this;
        }
    }

    @Override
    public long size() throws IOException {
        synchronized (lock) {
            ensureOpen();
            return source.size();
        }
    }

    @Override
    protected void implCloseChannel() throws IOException {
        source.close();
    }

    private void ensureOpen() throws IOException {
        if (!isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    // A checkpoint is only ever read: every way of changing, mapping or locking it is refused.

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new NonWritableChannelException();
    }

    @Override
    public int write(ByteBuffer src, long at) {
        throw new NonWritableChannelException();
    }

    @Override
    public FileChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public void force(boolean metaData) {
        // nothing was written
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long at, long count) {
        throw new NonWritableChannelException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) {
        throw new UnsupportedOperationException("cannot map a channel that is not a local file");
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("cannot lock a channel that is not a local file");
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("cannot lock a channel that is not a local file");
    }
}
