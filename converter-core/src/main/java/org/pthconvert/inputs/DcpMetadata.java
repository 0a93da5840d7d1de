package org.pthconvert.inputs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.reader.Unpickler;
import org.pthconvert.safety.Audit;
import org.pthconvert.tensor.Shape;

/**
 * A DCP folder's {@code .metadata}, read with {@link DcpHooks} and turned into plain records: each
 * item's kind, dtype, size and chunks, where planner_data puts it in the state dict, and where each
 * chunk's bytes are. Anything that does not have the shape torch writes is refused naming the item.
 */
final class DcpMetadata {
    static final String RECORD = ".metadata";

    /** One chunk of a tensor: its place in the whole tensor. */
    record Chunk(long[] offsets, long[] sizes) {
    }

    /** An item of the state dict: a tensor (dtype, size, chunks) or, when dtype is null, a bytes item. */
    record Item(String fqn, Dtype dtype, Shape size, List<Chunk> chunks) {
        boolean isBytes() { return dtype == null; }
    }

    /** Where one chunk (or bytes item) is stored: {@code [offset, offset + length)} of a .distcp file. */
    record Location(String relativePath, long offset, long length) {
    }

    final List<Item> items = new ArrayList<>();
    final Map<String, List<PickleValue>> plannerPaths = new HashMap<>();
    /** (fqn, chunk offsets as text) -> location; a bytes item's key has offsets "null". */
    final Map<String, Location> locations = new LinkedHashMap<>();
    final Audit audit;

    private final Path file;

    private DcpMetadata(Path file, Audit audit) {
        this.file = file;
        this.audit = audit;
    }

    static String key(String fqn, long[] offsets) {
        return fqn + "@" + (offsets == null ? "null" : java.util.Arrays.toString(offsets));
    }

    static DcpMetadata read(Path folder) throws IOException, CheckpointException {
        Path file = folder.resolve(RECORD);
        DcpHooks hooks = new DcpHooks(folder);
        PickleValue root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new Unpickler(hooks, PickleLimits.DEFAULTS, RECORD, 0).load(in);
        }
        DcpMetadata m = new DcpMetadata(folder, hooks.audit());
        if (!(root instanceof PObject md) || !md.type().name().equals("Metadata")) {
            throw m.fail(null, "the pickle holds a " + root.typeName() + ", not a DCP Metadata object");
        }
        m.readItems(m.dict(md, "state_dict_metadata", null));
        PickleValue planner = md.attribute("planner_data");
        if (planner instanceof PDict pd) {
            for (var e : pd.entries()) {
                if (e.getKey() instanceof PStr fqn && e.getValue() instanceof PTuple path && path.size() > 0) {
                    m.plannerPaths.put(fqn.value(), path.items());
                }
            }
        }
        m.readStorage(m.dict(md, "storage_data", null));
        return m;
    }

    private void readItems(PDict sdm) throws CheckpointException {
        for (var e : sdm.entries()) {
            if (!(e.getKey() instanceof PStr fqnValue)) {
                throw fail(null, "a state_dict_metadata key is a " + e.getKey().typeName());
            }
            String fqn = fqnValue.value();
            if (!(e.getValue() instanceof PObject o)) {
                throw fail(fqn, "its metadata is a " + e.getValue().typeName());
            }
            switch (o.type().name()) {
                case "BytesStorageMetadata" -> items.add(new Item(fqn, null, null, List.of()));
                case "TensorStorageMetadata" -> items.add(tensor(fqn, o));
                default -> throw fail(fqn, "unknown storage metadata " + o.type().qualified());
            }
        }
    }

    private Item tensor(String fqn, PObject o) throws CheckpointException {
        if (!(o.attribute("properties") instanceof PObject props)) {
            throw fail(fqn, "no tensor properties");
        }
        PickleValue dt = props.attribute("dtype");
        if (dt == null && props.state() instanceof PTuple t && t.size() >= 1) {
            dt = t.get(0); // TensorProperties pickles its fields as a tuple (__getstate__)
        }
        if (!(dt instanceof PGlobal g) || !g.module().equals("torch") || Dtype.fromTorchName(g.name()).isEmpty()) {
            throw fail(fqn, "no known dtype in its properties (" + dt + ")");
        }
        Dtype dtype = Dtype.fromTorchName(g.name()).get();
        long[] size = longs(fqn, o.attribute("size"), "size");
        if (!(o.attribute("chunks") instanceof PList chunks)) {
            throw fail(fqn, "no chunk list");
        }
        List<Chunk> out = new ArrayList<>();
        for (PickleValue c : chunks.items()) {
            if (!(c instanceof PObject co)) {
                throw fail(fqn, "a chunk is a " + c.typeName());
            }
            long[] offsets = longs(fqn, co.attribute("offsets"), "chunk offsets");
            long[] sizes = longs(fqn, co.attribute("sizes"), "chunk sizes");
            if (offsets.length != size.length || sizes.length != size.length) {
                throw fail(fqn, "a chunk's offsets " + java.util.Arrays.toString(offsets) + " / sizes "
                        + java.util.Arrays.toString(sizes) + " do not match the tensor's rank " + size.length);
            }
            out.add(new Chunk(offsets, sizes));
        }
        return new Item(fqn, dtype, Shape.of(size), List.copyOf(out));
    }

    private void readStorage(PDict sd) throws CheckpointException {
        for (var e : sd.entries()) {
            if (!(e.getKey() instanceof PObject idx) || !(e.getValue() instanceof PObject info)) {
                throw fail(null, "a storage_data entry is not MetadataIndex -> _StorageInfo");
            }
            if (!(idx.attribute("fqn") instanceof PStr fqn)) {
                throw fail(null, "a MetadataIndex without an fqn");
            }
            PickleValue off = idx.attribute("offset");
            long[] offsets = off == null || off == PNone.NONE ? null : longs(fqn.value(), off, "index offset");
            if (!(info.attribute("relative_path") instanceof PStr rel)) {
                throw fail(fqn.value(), "its storage info has no relative_path");
            }
            PickleValue transforms = info.attribute("transform_descriptors");
            if (transforms != null && transforms != PNone.NONE
                    && !(transforms instanceof PList l && l.items().isEmpty())
                    && !(transforms instanceof PTuple t && t.size() == 0)) {
                throw CheckpointException.of(Reason.UNSUPPORTED, "its bytes are stored with transforms " + describe(transforms) + ", which are not supported").inFile(file).at(RECORD, -1).forTensor(fqn.value());
            }
            long offset = nonNegative(fqn.value(), info.attribute("offset"), "storage offset");
            long length = nonNegative(fqn.value(), info.attribute("length"), "storage length");
            if (locations.put(key(fqn.value(), offsets), new Location(rel.value(), offset, length)) != null) {
                throw fail(fqn.value(), "two storage entries for the chunk at " + java.util.Arrays.toString(offsets));
            }
        }
    }

    private static String describe(PickleValue v) {
        if (v instanceof PList l) {
            StringBuilder sb = new StringBuilder("[");
            for (PickleValue i : l.items()) {
                sb.append(sb.length() > 1 ? ", " : "").append(i instanceof PStr s ? "'" + s.value() + "'" : i);
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }

    private PDict dict(PObject o, String field, String fqn) throws CheckpointException {
        if (!(o.attribute(field) instanceof PDict d)) {
            throw fail(fqn, "Metadata has no " + field + " dict");
        }
        return d;
    }

    private long[] longs(String fqn, PickleValue v, String what) throws CheckpointException {
        if (!(v instanceof PTuple t)) {
            throw fail(fqn, what + " is a " + (v == null ? "missing value" : v.typeName()) + ", not a torch.Size");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(fqn, t.get(i), what);
        }
        return out;
    }

    private long nonNegative(String fqn, PickleValue v, String what) throws CheckpointException {
        if (v instanceof PInt i && i.value().signum() >= 0 && i.value().bitLength() < 63) {
            return i.value().longValue();
        }
        throw fail(fqn, what + " holds " + v + ", not a non-negative integer");
    }

    CheckpointException fail(String fqn, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).at(RECORD, -1).forTensor(fqn);
    }

}
