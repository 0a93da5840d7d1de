package org.pthconvert.inputs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.torch.PTensor;
import org.pthconvert.safety.Audit;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

/**
 * The common body of the assembled inputs: the tree, the storages registered while building it
 * (each tensor its own storage unless a shard shares one), and the open files to close. Built by
 * the input's reader, which adds tensors with {@link #tensor} and files with {@link #own}.
 */
final class AssembledContainer implements AssembledInput {
    private final Path file;
    private final Format format;
    private final String indexName;
    private final List<String> records;
    private final Map<String, StorageRef> refs = new LinkedHashMap<>();
    private final Map<String, StorageBytes> bytes = new LinkedHashMap<>();
    private final List<Closeable> owned = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Audit audit = new Audit();
    private PickleValue root = new PDict(true);

    /**
     * @param indexName what errors about the index name (a safetensors header, an index file, {@code .metadata})
     * @param records   the input's files (or records), for inspect
     */
    AssembledContainer(Path file, Format format, String indexName, List<String> records) {
        this.file = file;
        this.format = format;
        this.indexName = indexName;
        this.records = List.copyOf(records);
    }

    /** Registers storage {@code key} with its bytes and returns a C-contiguous tensor over all of it. */
    PTensor tensor(String key, Dtype dtype, Shape shape, StorageBytes data) {
        StorageRef ref = new StorageRef(key, dtype, data.size(), "cpu");
        refs.put(key, ref);
        bytes.put(key, data);
        return new PTensor(new TensorView(ref, dtype, 0, shape, shape.contiguousStrides(), null), "tensor", false);
    }

    /** Registers a storage that several views (a shard's tied weights) may share. */
    StorageRef storage(StorageRef ref, StorageBytes data) {
        refs.put(ref.key(), ref);
        bytes.put(ref.key(), data);
        return ref;
    }

    /** Closes {@code c} with this container. */
    <T extends Closeable> T own(T c) {
        owned.add(c);
        return c;
    }

    void setRoot(PickleValue root) {
        this.root = root;
    }

    void warn(String line) {
        warnings.add(line);
    }

    @Override
    public PickleValue root() { return root; }

    @Override
    public Map<String, StorageRef> storages() { return Collections.unmodifiableMap(refs); }

    @Override
    public Audit audit() { return audit; }

    @Override
    public Path file() { return file; }

    @Override
    public Format format() { return format; }

    @Override
    public ByteOrder byteOrder() { return ByteOrder.LITTLE_ENDIAN; }

    @Override
    public String pickleRecordName() { return indexName; }

    @Override
    public InputStream openPickle() throws CheckpointException {
        throw CheckpointException.of(Reason.INVALID, "this input has no main pickle (its tree is assembled from " + indexName + ")").inFile(file).at(indexName, -1);
    }

    /** No pickle for torch.load here: the pickles read while assembling are in {@link #audit()}. */
    @Override
    public List<org.pthconvert.archive.PickleStream> pickles() {
        return List.of();
    }

    @Override
    public List<String> warnings() { return Collections.unmodifiableList(warnings); }

    @Override
    public List<String> recordNames() { return records; }

    @Override
    public InputStream openRecord(String name) throws CheckpointException {
        throw CheckpointException.of(Reason.INVALID, "no such record").inFile(file).at(name, -1);
    }

    @Override
    public StorageBytes storage(String key, Map<String, Integer> elementSizes) throws CheckpointException {
        StorageBytes b = bytes.get(key);
        if (b == null) {
            throw CheckpointException.of(Reason.INVALID, "no storage '" + key + "'").inFile(file).at(indexName, -1);
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
