package org.pthconvert.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.ChannelRangeStream;
import org.pthconvert.io.StorageBytes;

/**
 * A file that is a bare Python pickle, not a PyTorch checkpoint. torch.load would unpickle it anyway
 * (as the magic-number pickle of the legacy format) and so run whatever it calls before noticing, so
 * the reader opens it only to audit that pickle: a dangerous one is refused as dangerous, any other
 * with {@link #notACheckpoint()}. It has no records and no storages.
 */
public final class BarePickleContainer implements CheckpointContainer {
    private static final String RECORD = "pickle";

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final CheckpointException notACheckpoint;

    private BarePickleContainer(Path file, FileChannel channel, CheckpointException notACheckpoint)
            throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
        this.notACheckpoint = notACheckpoint;
    }

    /** The same from an open channel, which the container owns from here on (closed on failure). */
    static BarePickleContainer open(Path file, FileChannel ch, CheckpointException notACheckpoint)
            throws CheckpointException {
        try {
            return new BarePickleContainer(file, ch, notACheckpoint);
        } catch (IOException e) {
            Containers.closeQuietly(ch);
            throw new CheckpointException(Reason.IO, file, null, -1, null, "cannot read: " + e.getMessage(), e);
        }
    }

    static BarePickleContainer open(Path file, CheckpointException notACheckpoint) throws CheckpointException {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            return new BarePickleContainer(file, ch, notACheckpoint);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw new CheckpointException(Reason.IO, file, null, -1, null, "cannot open: " + e.getMessage(), e);
        }
    }

    /** The error to report once the pickle has been audited and found not dangerous. */
    public CheckpointException notACheckpoint() { return notACheckpoint; }

    @Override
    public Path file() { return file; }

    /** Reported as legacy: torch.load would take it for the start of a legacy checkpoint. */
    @Override
    public Format format() { return Format.LEGACY; }

    @Override
    public ByteOrder byteOrder() { return ByteOrder.LITTLE_ENDIAN; }

    @Override
    public String pickleRecordName() { return RECORD; }

    @Override
    public InputStream openPickle() {
        return new BufferedInputStream(new ChannelRangeStream(channel, 0, size, file, RECORD,
                ChannelRangeStream.NO_CRC), 1 << 16);
    }

    @Override
    public List<String> recordNames() { return List.of(); }

    @Override
    public InputStream openRecord(String name) throws CheckpointException {
        throw notACheckpoint;
    }

    @Override
    public StorageBytes storage(String key, Map<String, Integer> elementSizes) throws CheckpointException {
        throw notACheckpoint;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "BarePickleContainer[" + file + "]";
    }
}
