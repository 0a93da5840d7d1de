package org.pthconvert.writers.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.WriterFailures;

/**
 * The file's metadata, planned before any data: a tree of groups and datasets, their object
 * headers in depth-first order from the root (children in code-point order of their link names),
 * then the global heap collections, then the data. Header sizes do not depend on the addresses
 * they hold, so they are measured with placeholders first; tensor data then streams into the data
 * region, and {@link #writeMetadata} fills the reserved bytes once every address is known.
 * The bytes depend only on the tensors, names and attributes: two runs give the same file.
 */
final class Hdf5Layout {

    /** An attribute message holds its name in at most 64 KiB with the rest; HDF5 cannot split it. */
    static final int MAX_ATTRIBUTE_NAME_BYTES = 65_000;

    /** One dataset: the tensor, how it is stored, and where its header and data are. */
    static final class Dataset {
        final TensorSpec spec;
        final Hdf5Types.Stored stored;
        final DataStorage storage;
        int links;
        long address;
        private GlobalHeap.Ref nameRef;
        private GlobalHeap.Ref dtypeRef;

        Dataset(TensorSpec spec, Hdf5Types.Stored stored, DataStorage storage) {
            this.spec = spec;
            this.stored = stored;
            this.storage = storage;
        }
    }

    private static final class Group {
        final Map<String, Object> children = new TreeMap<>(CodePoints.ORDER);
        long address;
    }

    private final Group root = new Group();
    private final Map<String, Dataset> byName = new HashMap<>();
    private final Map<String, GlobalHeap.Ref> rootAttributes = new LinkedHashMap<>();
    private final GlobalHeap heap = new GlobalHeap();
    private final List<Object> objects = new ArrayList<>();
    private final Map<Object, Integer> sizes = new HashMap<>();
    private long[] heapAddresses;
    private long dataStart;

    /**
     * @param datasets       every tensor to write, by name
     * @param paths          each tensor's (and alias's) path from {@link Hdf5Names#place}
     * @param aliases        extra names (hard links) for a written tensor: alias to tensor name
     * @param rootAttributes string attributes of the root group, in order
     */
    Hdf5Layout(Map<String, Dataset> datasets, Map<String, List<String>> paths, Map<String, String> aliases,
               Map<String, String> rootAttributes) throws CheckpointException {
        for (Map.Entry<String, String> a : rootAttributes.entrySet()) {
            if (a.getKey().isEmpty() || a.getKey().indexOf('\0') >= 0 || !CodePoints.isWellFormed(a.getKey())
                    || a.getKey().getBytes(StandardCharsets.UTF_8).length > MAX_ATTRIBUTE_NAME_BYTES) {
                throw WriterFailures.limit(null, "metadata key '" + abbreviate(a.getKey()) + "' cannot be an HDF5"
                        + " attribute name (empty, NUL, invalid Unicode or over " + MAX_ATTRIBUTE_NAME_BYTES
                        + " UTF-8 bytes)");
            }
            if (!CodePoints.isWellFormed(a.getValue())) {
                throw WriterFailures.unsupported(null, "the value of metadata key '" + abbreviate(a.getKey())
                        + "' is not valid Unicode (an unpaired surrogate)");
            }
            this.rootAttributes.put(a.getKey(), heap.add(a.getValue()));
        }
        for (Dataset d : datasets.values()) {
            link(paths.get(d.spec.name()), d);
            byName.put(d.spec.name(), d);
        }
        for (Map.Entry<String, String> a : aliases.entrySet()) {
            link(paths.get(a.getKey()), datasets.get(a.getValue()));
        }
        collect(root);
        for (Object o : objects) {
            if (o instanceof Dataset d) {
                d.nameRef = heap.add(d.spec.name());
                d.dtypeRef = heap.add(d.spec.dtype().torchName());
            }
        }
        measure();
    }

    private void link(List<String> path, Dataset d) {
        Group g = root;
        for (String segment : path.subList(0, path.size() - 1)) {
            g = (Group) g.children.computeIfAbsent(segment, k -> new Group());
        }
        if (g.children.putIfAbsent(path.get(path.size() - 1), d) != null) {
            throw new IllegalStateException("two names placed at /" + String.join("/", path));
        }
        d.links++;
    }

    /** Depth-first, each object once (a dataset reached by two links is listed at the first). */
    private void collect(Object node) {
        if (sizes.containsKey(node)) {
            return;
        }
        sizes.put(node, 0);
        objects.add(node);
        if (node instanceof Group g) {
            for (Object child : g.children.values()) {
                collect(child);
            }
        }
    }

    private void measure() {
        long cursor = ObjectHeaders.ROOT_ADDRESS;
        byte[] placeholder = GlobalHeap.placeholderId();
        for (Object o : objects) {
            int size = encode(o, placeholder).remaining();
            sizes.put(o, size);
            if (o instanceof Group g) {
                g.address = cursor;
            } else {
                ((Dataset) o).address = cursor;
            }
            cursor = Math.addExact(cursor, size);
        }
        heapAddresses = new long[heap.count()];
        for (int i = 0; i < heap.count(); i++) {
            heapAddresses[i] = cursor;
            cursor = Math.addExact(cursor, heap.size(i));
        }
        heap.place(heapAddresses);
        dataStart = cursor;
    }

    /** Where tensor data may start: after every header and heap. */
    long dataStart() {
        return dataStart;
    }

    Dataset dataset(String name) {
        return byName.get(name);
    }

    /** Writes the superblock, every object header and heap; every dataset's data must be written. */
    void writeMetadata(FileChannel out, long endOfFile) throws IOException {
        for (Object o : objects) {
            ByteBuffer header = encode(o, null);
            if (header.remaining() != sizes.get(o)) {
                throw new IllegalStateException("an object header changed size from " + sizes.get(o) + " to "
                        + header.remaining() + " bytes once addresses were known");
            }
            writeFully(out, header, o instanceof Group g ? g.address : ((Dataset) o).address);
        }
        for (int i = 0; i < heap.count(); i++) {
            writeFully(out, ByteBuffer.wrap(heap.encode(i)), heapAddresses[i]);
        }
        writeFully(out, ObjectHeaders.superblock(endOfFile), 0);
    }

    /** @param heapId the placeholder heap id when measuring, or null for the real ones */
    private ByteBuffer encode(Object o, byte[] heapId) {
        if (o instanceof Group g) {
            List<ObjectHeaders.Link> links = new ArrayList<>();
            for (Map.Entry<String, Object> c : g.children.entrySet()) {
                Object child = c.getValue();
                links.add(new ObjectHeaders.Link(c.getKey(),
                        child instanceof Group cg ? cg.address : ((Dataset) child).address));
            }
            List<StringAttribute> attrs = new ArrayList<>();
            if (g == root) {
                rootAttributes.forEach((k, ref) -> attrs.add(attribute(k, ref, heapId)));
            }
            return ObjectHeaders.group(links, attrs);
        }
        Dataset d = (Dataset) o;
        List<StringAttribute> attrs = List.of(attribute("name", d.nameRef, heapId),
                attribute("torch_dtype", d.dtypeRef, heapId));
        return ObjectHeaders.dataset(Hdf5Types.datatype(d.stored.dtype()), d.spec.shape().toArray(),
                d.storage.messages(), d.links, attrs);
    }

    private StringAttribute attribute(String name, GlobalHeap.Ref ref, byte[] heapId) {
        return new StringAttribute(name, heapId != null ? heapId : heap.id(ref));
    }

    static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }

    private static String abbreviate(String s) {
        return CheckpointException.shown(s, 60);
    }
}
