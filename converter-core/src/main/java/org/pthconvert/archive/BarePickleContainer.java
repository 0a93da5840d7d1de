package org.pthconvert.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.StorageBytes;

/**
 * A file that torch.load would unpickle as a legacy stream but that is none: a bare Python pickle,
 * a page or another format that starts with bytes the unpickler accepts, or a legacy stream whose
 * header is broken. torch.load would run whatever its first pickles call before noticing, so the
 * reader opens it only to audit those pickles ({@link #pickles()}): a dangerous one is refused as
 * dangerous, any other file with {@link #deferredRefusal()}. It has no records and no storages.
 */
public final class BarePickleContainer implements CheckpointContainer {
    private final Path file;
    private final ByteSource source;
    private final List<PickleStream> pickles;
    private final CheckpointException notACheckpoint;

    BarePickleContainer(Path file, ByteSource source, List<PickleStream> pickles,
                        CheckpointException notACheckpoint) {
        this.file = file;
        this.source = source;
        this.pickles = List.copyOf(pickles);
        this.notACheckpoint = notACheckpoint;
    }

    /** The error to report once the pickles have been audited and found not dangerous. */
    public CheckpointException notACheckpoint() { return notACheckpoint; }

    @Override
    public CheckpointException deferredRefusal() { return notACheckpoint; }

    @Override
    public List<PickleStream> pickles() { return pickles; }

    @Override
    public Path file() { return file; }

    /** Reported as legacy: torch.load would take it for the start of a legacy checkpoint. */
    @Override
    public Format format() { return Format.LEGACY; }

    @Override
    public ByteOrder byteOrder() { return ByteOrder.LITTLE_ENDIAN; }

    @Override
    public String pickleRecordName() { return pickles.get(0).record(); }

    /** The first pickle, from the first byte. */
    @Override
    public InputStream openPickle() throws IOException, CheckpointException {
        return pickles.get(0).open();
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
        source.close();
    }

    @Override
    public String toString() {
        return "BarePickleContainer[" + file + "]";
    }
}
