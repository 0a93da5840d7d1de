package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link ByteSource} over a local file's {@link FileChannel}: positional reads need no lock.
 *
 * <p>Small reads near one another are served from one larger read: a checkpoint of 100,000 small
 * tensors is 100,000 reads of a few dozen bytes each, a few hundred bytes apart, and a system call
 * per read was a tenth of its conversion. A small read that follows no other nearby goes straight
 * to the file, so scattered small reads do not each pay for a window they do not use. The file is
 * taken not to change while it is read, as everywhere in this reader.
 */
final class FileByteSource implements ByteSource {
    /** Reads of at most this many bytes are small. */
    static final int SMALL = 4096;
    /** Bytes read at once for small reads; also how near the last small read the next must be. */
    static final int WINDOW = 1 << 16;

    private final Path file;
    private final FileChannel channel;
    private ByteBuffer window;
    private long windowStart = -1;
    private long lastSmallEnd = -1;

    FileByteSource(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    @Override
    public long size() throws IOException { return channel.size(); }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        if (n == 0 || n > SMALL) {
            return channel.read(dst, position);
        }
        synchronized (this) {
            return readSmall(position, dst, n);
        }
    }

    private int readSmall(long position, ByteBuffer dst, int n) throws IOException {
        boolean near = lastSmallEnd >= 0 && position >= lastSmallEnd - WINDOW && position <= lastSmallEnd + WINDOW;
        lastSmallEnd = position + n;
        if (!covers(position, n)) {
            if (!near) {
                return channel.read(dst, position);
            }
            if (window == null) {
                window = ByteBuffer.allocate(WINDOW);
            }
            window.clear();
            windowStart = -1;
            while (window.hasRemaining() && channel.read(window, position + window.position()) >= 0) {
                // fill as far as the file goes
            }
            window.flip();
            windowStart = position;
        }
        int at = (int) (position - windowStart);
        int available = window.limit() - at;
        if (available <= 0) {
            return -1; // the window reached the end of the file before position
        }
        int take = Math.min(n, available);
        dst.put(dst.position(), window, at, take);   // absolute: no duplicate of the window per read
        dst.position(dst.position() + take);
        return take;
    }

    /** Whether the window holds [position, position + n), or reaches the end of the file inside it. */
    private boolean covers(long position, int n) {
        if (windowStart < 0 || position < windowStart) {
            return false;
        }
        long end = windowStart + window.limit();
        return position + n <= end || window.limit() < window.capacity() && position <= end;
    }

    @Override
    public Optional<FileChannel> fileChannel() { return Optional.of(channel); }

    @Override
    public Path path() { return file; }

    @Override
    public void close() throws IOException { channel.close(); }

    @Override
    public String toString() { return "FileByteSource[" + file + "]"; }
}
