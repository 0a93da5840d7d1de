package org.pthconvert.inputs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.PickleStream;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.StorageBytes;

/**
 * The torch.save file a folder without an index holds as its only weights ({@code pytorch_model.bin}),
 * read exactly as that file, only reported as {@link Format#FOLDER_BIN} so that inspect says how
 * the folder was read. A TorchScript archive keeps its own kind: its code records are looked up by it.
 */
final class FolderFile implements CheckpointContainer {
    private final CheckpointContainer inner;
    private final List<String> warnings;

    FolderFile(CheckpointContainer inner, List<String> warnings) {
        this.inner = inner;
        this.warnings = List.copyOf(warnings);
    }

    @Override
    public Path file() { return inner.file(); }

    @Override
    public Format format() { return inner.format() == Format.TORCHSCRIPT ? Format.TORCHSCRIPT : Format.FOLDER_BIN; }

    @Override
    public ByteOrder byteOrder() { return inner.byteOrder(); }

    @Override
    public String pickleRecordName() { return inner.pickleRecordName(); }

    @Override
    public InputStream openPickle() throws IOException, CheckpointException { return inner.openPickle(); }

    @Override
    public long pickleOffset() { return inner.pickleOffset(); }

    @Override
    public List<PickleStream> pickles() { return inner.pickles(); }

    @Override
    public CheckpointException deferredRefusal() { return inner.deferredRefusal(); }

    @Override
    public List<String> warnings() {
        return warnings.isEmpty() ? inner.warnings()
                : java.util.stream.Stream.concat(warnings.stream(), inner.warnings().stream()).toList();
    }

    @Override
    public List<String> recordNames() { return inner.recordNames(); }

    @Override
    public InputStream openRecord(String name) throws IOException, CheckpointException { return inner.openRecord(name); }

    @Override
    public StorageBytes storage(String key, Map<String, Integer> elementSizes) throws IOException, CheckpointException {
        return inner.storage(key, elementSizes);
    }

    @Override
    public void close() throws IOException { inner.close(); }
}
