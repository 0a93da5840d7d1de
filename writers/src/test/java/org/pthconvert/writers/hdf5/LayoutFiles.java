package org.pthconvert.writers.hdf5;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.ArraySource;

/** Writes a file through {@link Hdf5Layout} directly, without a session: for the layout's own tests. */
final class LayoutFiles {

    private LayoutFiles() {
    }

    /** @param tensors specs in write order with their stored bytes (already in the stored dtype) */
    static Hdf5Names.Placement write(Path out, Map<TensorSpec, byte[]> tensors, Map<String, String> aliases,
                                     Map<String, String> rootAttributes, boolean gzip, boolean flat) throws Exception {
        Map<String, Hdf5Layout.Dataset> datasets = new LinkedHashMap<>();
        for (Map.Entry<TensorSpec, byte[]> e : tensors.entrySet()) {
            TensorSpec s = e.getKey();
            Hdf5Types.Stored stored = Hdf5Types.storage(s.dtype(), true).orElseThrow();
            long size = e.getValue().length;
            DataStorage storage = gzip ? GzipChunkedStorage.of(s.shape().toArray(), stored.dtype().byteWidth(), size)
                    : new ContiguousStorage(size);
            datasets.put(s.name(), new Hdf5Layout.Dataset(s, stored, storage));
        }
        Set<String> names = new HashSet<>(datasets.keySet());
        names.addAll(aliases.keySet());
        Hdf5Names.Placement placement = Hdf5Names.place(names, flat);
        Hdf5Layout layout = new Hdf5Layout(datasets, placement.paths(), aliases, rootAttributes);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long cursor = layout.dataStart();
            for (Map.Entry<TensorSpec, byte[]> e : tensors.entrySet()) {
                cursor = datasets.get(e.getKey().name()).storage.write(ch, cursor, new ArraySource(e.getValue(), 1000),
                        e.getKey().name());
            }
            layout.writeMetadata(ch, cursor);
        }
        return placement;
    }
}
