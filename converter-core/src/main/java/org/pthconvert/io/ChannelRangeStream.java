package org.pthconvert.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * An {@link InputStream} over the byte range {@code [start, start + length)} of a {@link ByteSource}, read with
 * positional reads (the channel's own position is never used, so several streams and storages can
 * share one source). It never returns a byte outside the range. When an expected CRC-32 is given,
 * it is checked the moment the last byte of the range has been read; a mismatch, or a file that
 * ends inside the range, throws a {@link CheckpointIOException}.
 */
public final class ChannelRangeStream extends InputStream {
    /** Pass as {@code expectedCrc} to skip the check. */
    public static final long NO_CRC = -1;

    private final ByteSource channel;
    private final long start;
    private final long length;
    private final Path file;
    private final String record;
    private final long expectedCrc;
    private final CRC32 crc;
    private long done;
    private long mark;
    private boolean crcChecked;

    public ChannelRangeStream(ByteSource channel, long start, long length, Path file, String record,
                              long expectedCrc) {
        if (start < 0 || length < 0 || start > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("bad range " + start + "+" + length);
        }
        this.channel = channel;
        this.start = start;
        this.length = length;
        this.file = file;
        this.record = record;
        this.expectedCrc = expectedCrc;
        this.crc = expectedCrc == NO_CRC ? null : new CRC32();
    }

    /** Bytes read so far. */
    public long position() { return done; }

    public long length() { return length; }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        long left = length - done;
        if (left == 0) {
            if (crc != null && !crcChecked) {
                checkCrc();
            }
            return -1;
        }
        int want = (int) Math.min(len, left);
        ByteBuffer dst = ByteBuffer.wrap(b, off, want);
        int n = channel.read(start + done, dst);
        if (n < 0) {
            throw new CheckpointIOException(CheckpointException.of(Reason.INVALID, "the file ends at byte " + (start + done) + ", inside this record (" + left
                    + " bytes missing): the file is truncated").inFile(file).at(record, done));
        }
        if (crc != null) {
            crc.update(b, off, n);
        }
        done += n;
        if (done == length && crc != null && n > 0) {
            checkCrc();
        }
        return n;
    }

    private void checkCrc() throws CheckpointIOException {
        crcChecked = true;
        if (crc.getValue() != expectedCrc) {
            throw new CheckpointIOException(CheckpointException.of(Reason.INVALID, String.format("CRC-32 mismatch: the zip directory says 0x%08x, the data gives 0x%08x;"
                            + " the record is corrupt", expectedCrc, crc.getValue())).inFile(file).at(record, -1));
        }
    }

    /** Skips without reading when no CRC is being checked; otherwise reads through the skipped bytes. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        if (crc != null) {
            return super.skip(n);
        }
        long k = Math.min(n, length - done);
        done += k;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - done);
    }

    @Override
    public boolean markSupported() { return crc == null; }

    @Override
    public synchronized void mark(int readlimit) { mark = done; }

    @Override
    public synchronized void reset() throws IOException {
        if (crc != null) {
            throw new IOException("reset not supported while checking a CRC");
        }
        done = mark;
    }

    /** Does not close the channel, which belongs to the container. */
    @Override
    public void close() {
    }
}
