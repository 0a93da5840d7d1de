package org.pthconvert.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * Inflates a raw deflate stream (zip method 8) and refuses to produce a single byte more than the
 * size the zip directory declares: a record that would inflate further (a zip bomb, or a lying
 * directory) stops with {@link Reason#INVALID} as soon as the declared size is reached, before any
 * extra byte is kept. When the declared size has been produced it also checks that the deflate
 * stream ends there and, if given, the CRC-32. Buffers are fixed (64 KiB in); nothing is allocated
 * in proportion to the record.
 *
 * <p>Errors are {@link CheckpointIOException}s naming the record and the output offset.
 */
public final class BoundedInflaterStream extends InputStream {
    private static final int IN_BUFFER = 64 * 1024;

    private final InputStream compressed;
    private final long size;
    private final long expectedCrc;
    private final Path file;
    private final String record;
    private final Inflater inflater = new Inflater(true);
    private final byte[] inBuf = new byte[IN_BUFFER];
    private final CRC32 crc = new CRC32();
    private long produced;
    private boolean ended;
    private boolean closed;
    private boolean dummyFed;

    /**
     * @param compressed  the compressed bytes, already bounded to the record's compressed size
     * @param size        uncompressed size from the central directory
     * @param expectedCrc CRC-32 to check at the end, or {@link ChannelRangeStream#NO_CRC}
     */
    public BoundedInflaterStream(InputStream compressed, long size, long expectedCrc, Path file, String record) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
        this.compressed = compressed;
        this.size = size;
        this.expectedCrc = expectedCrc;
        this.file = file;
        this.record = record;
    }

    /** Uncompressed bytes delivered so far. */
    public long position() { return produced; }

    public long size() { return size; }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (produced == size) {
            checkEnd();
            return -1;
        }
        int want = (int) Math.min(len, size - produced);
        int n = 0;
        int stalls = 0;
        while (n == 0) {
            if (inflater.needsInput()) {
                if (!feed()) {
                    throw fail(inflater.finished() ? shortMessage() : "the deflate stream is truncated after "
                            + produced + " of " + size + " bytes");
                }
            }
            n = inflate(b, off, want);
            if (n == 0 && inflater.finished()) {
                throw fail(shortMessage());
            }
            if (n == 0 && inflater.needsDictionary()) {
                throw fail("the deflate stream asks for a preset dictionary, which zip does not allow");
            }
            if (n == 0 && !inflater.needsInput() && ++stalls > 3) {
                throw fail("corrupt deflate data (the inflater makes no progress)");
            }
        }
        crc.update(b, off, n);
        produced += n;
        if (produced == size) {
            checkEnd();
        }
        return n;
    }

    private String shortMessage() {
        return "inflates to only " + produced + " bytes, less than its declared size of " + size;
    }

    private int inflate(byte[] b, int off, int len) throws CheckpointIOException {
        try {
            return inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
            throw fail("corrupt deflate data (" + e.getMessage() + ")");
        }
    }

    /**
     * Gives the inflater more input. Like {@code java.util.zip.ZipFile}, feeds one dummy zero byte
     * after the last compressed byte, which zlib may need in raw ("nowrap") mode to see the end.
     */
    private boolean feed() throws IOException {
        int r = compressed.read(inBuf, 0, inBuf.length);
        if (r <= 0) {
            if (dummyFed) {
                return false;
            }
            dummyFed = true;
            inBuf[0] = 0;
            inflater.setInput(inBuf, 0, 1);
            return true;
        }
        inflater.setInput(inBuf, 0, r);
        return true;
    }

    /** At the declared size: the deflate stream must end here, and the CRC must match. */
    private void checkEnd() throws IOException {
        if (ended) {
            return;
        }
        byte[] probe = new byte[1];
        int stalls = 0;
        while (!inflater.finished()) {
            if (inflater.needsInput() && !feed()) {
                throw fail("the deflate stream is truncated: it does not end after the declared " + size + " bytes");
            }
            if (inflate(probe, 0, 1) > 0) {
                throw fail("inflates to more than its declared size of " + size
                        + " bytes (a zip bomb or a corrupt zip directory)");
            }
            if (inflater.needsDictionary()) {
                throw fail("the deflate stream asks for a preset dictionary, which zip does not allow");
            }
            if (!inflater.needsInput() && !inflater.finished() && ++stalls > 3) {
                throw fail("corrupt deflate data (the inflater makes no progress)");
            }
        }
        ended = true;
        if (expectedCrc != ChannelRangeStream.NO_CRC && crc.getValue() != expectedCrc) {
            throw fail(String.format("CRC-32 mismatch: the zip directory says 0x%08x, the data gives 0x%08x;"
                    + " the record is corrupt", expectedCrc, crc.getValue()));
        }
    }

    private CheckpointIOException fail(String detail) {
        return new CheckpointIOException(CheckpointException.of(Reason.INVALID, detail).inFile(file).at(record, produced));
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            inflater.end();
            compressed.close();
        }
    }
}
