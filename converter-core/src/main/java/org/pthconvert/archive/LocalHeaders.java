package org.pthconvert.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.ByteSource;

/**
 * Reads the local headers of a zip's entries, with their names, in as few reads as the layout
 * allows. A checkpoint of 100,000 small tensors has 100,000 local headers a few hundred bytes
 * apart: one positional read each is 100,000 system calls. So a read that misses takes, in the
 * same call, the headers of the following directory entries too, as long as they lie ahead within
 * {@link #WINDOW} bytes; the bytes between them (small tensors' data) come along. Headers of large
 * records are read alone, so a checkpoint of large tensors reads no data here.
 */
final class LocalHeaders {
    static final int WINDOW = 1 << 16;

    private final ByteSource ch;
    private final Path file;
    private final ZipCentrals entries;
    private final long limit;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
    private long windowStart = -1;
    private int windowLength;
    private byte[] bytes;

    /** Headers of {@code entries} (directory order), which all lie before {@code limit} (the directory). */
    LocalHeaders(ByteSource ch, Path file, ZipCentrals entries, long limit) {
        this.ch = ch;
        this.file = file;
        this.entries = entries;
        this.limit = limit;
    }

    /**
     * Reads the {@code n} bytes at file offset {@code pos}, which begin entry {@code index}'s local
     * header: they are {@link #bytes()} from the offset returned on, until the next read. (No object
     * per header: a checkpoint of 100,000 tensors has as many.)
     */
    int read(int index, long pos, int n) throws IOException, CheckpointException {
        if (windowStart >= 0 && pos >= windowStart && pos + n <= windowStart + windowLength) {
            bytes = window.array();
            return (int) (pos - windowStart);
        }
        if (n > WINDOW) {
            bytes = ZipDirectory.readAt(ch, file, pos, n);
            return 0;
        }
        long end = pos + n;
        for (int j = index + 1; j < entries.count(); j++) {
            long at = entries.localHeaderOffset(j);
            long nextEnd = at + ZipDirectory.LOCAL_SIZE + entries.nameLength(j);
            if (at < pos || nextEnd > pos + WINDOW || nextEnd > limit) {
                break;
            }
            end = Math.max(end, nextEnd);
        }
        int length = (int) (end - pos);
        window.clear().limit(length);
        long at = pos;
        while (window.hasRemaining()) {
            int r = ch.read(at, window);
            if (r < 0) {
                throw ZipDirectory.at(file, at, "unexpected end of file: truncated");
            }
            at += r;
        }
        windowStart = pos;
        windowLength = length;
        bytes = window.array();
        return 0;
    }

    /** The array the last {@link #read} left its bytes in. */
    byte[] bytes() {
        return bytes;
    }

    /** {@code n} bytes at {@code pos} read on their own: a local name unlike the directory's. */
    byte[] readName(long pos, int n) throws IOException, CheckpointException {
        return ZipDirectory.readAt(ch, file, pos, n);
    }

}
