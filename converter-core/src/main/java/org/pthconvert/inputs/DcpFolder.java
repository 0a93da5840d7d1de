package org.pthconvert.inputs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.archive.CheckpointContainer.Format;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.torch.hooks.TorchHooks;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.torch.PTensor;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.reader.Unpickler;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.tensor.TensorView;

/**
 * A {@code torch.distributed.checkpoint} folder as one checkpoint: the tree follows planner_data
 * ({@code model -> fc1.weight}, {@code optim -> state -> fc1.weight -> exp_avg}), each tensor a
 * {@link ChunkedStorage} over its chunks, each bytes item the value its pickle holds (read with the
 * torch layer's safe hooks; torch would load it with {@code torch.load(weights_only=False)}, so one
 * that would run code refuses the folder). Every chunk's own small archive is opened and its pickle
 * read to check that it holds a tensor of the metadata's dtype and the chunk's size, with its view
 * (strides, storage offset) inside its storage.
 */
final class DcpFolder {
    /** Chunks per tensor; overlap checks are pairwise. FSDP x TP on thousands of ranks stays below. */
    static final int MAX_CHUNKS = 4096;
    private static final long MAX_ITEM_PICKLE = 64L << 20;

    private final Path folder;
    private final DcpMetadata meta;
    private final AssembledContainer c;
    private final Map<String, FileChannel> channels = new LinkedHashMap<>();

    private DcpFolder(Path folder, DcpMetadata meta, AssembledContainer c) {
        this.folder = folder;
        this.meta = meta;
        this.c = c;
    }

    static AssembledContainer open(Path folder) throws IOException, CheckpointException {
        DcpMetadata meta = DcpMetadata.read(folder);
        List<String> files = new ArrayList<>();
        files.add(DcpMetadata.RECORD);
        meta.locations.values().forEach(l -> {
            if (!files.contains(l.relativePath())) {
                files.add(l.relativePath());
            }
        });
        AssembledContainer c = new AssembledContainer(folder, Format.DCP, DcpMetadata.RECORD, files);
        for (AuditEntry a : meta.audit.entries()) {
            c.audit().record(a.action(), a.global(), a.offset(), a.verdict());
        }
        try {
            new DcpFolder(folder, meta, c).assemble();
        } catch (CheckpointException | IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void assemble() throws IOException, CheckpointException {
        PDict root = new PDict(true);
        for (DcpMetadata.Item item : meta.items) {
            PickleValue value = item.isBytes() ? bytesItem(item) : tensor(item);
            place(root, item.fqn(), value);
        }
        c.setRoot(root);
    }

    private PTensor tensor(DcpMetadata.Item item) throws IOException, CheckpointException {
        if (item.chunks().size() > MAX_CHUNKS) {
            throw CheckpointException.of(Reason.LIMIT, item.chunks().size() + " chunks; at most " + MAX_CHUNKS + " per tensor are read").inFile(folder).at(DcpMetadata.RECORD, -1).forTensor(item.fqn());
        }
        long[] shape = item.size().toArray();
        List<ChunkedStorage.Piece> pieces = new ArrayList<>();
        for (DcpMetadata.Chunk ch : item.chunks()) {
            DcpMetadata.Location loc = meta.locations.get(DcpMetadata.key(item.fqn(), ch.offsets()));
            if (loc == null) {
                throw meta.fail(item.fqn(), "the chunk at " + java.util.Arrays.toString(ch.offsets())
                        + " has no storage entry (a file of the checkpoint is missing?)");
            }
            pieces.add(chunk(item, ch, loc));
        }
        ChunkedStorage.check(item.fqn(), shape, pieces, folder);
        ChunkedStorage bytes = new ChunkedStorage(item.fqn(), shape, item.dtype().byteWidth(), pieces);
        return c.tensor(item.fqn(), item.dtype(), item.size(), bytes);
    }

    /** Opens one chunk's archive and checks that it holds exactly the chunk the metadata describes. */
    private ChunkedStorage.Piece chunk(DcpMetadata.Item item, DcpMetadata.Chunk chunk, DcpMetadata.Location loc)
            throws IOException, CheckpointException {
        Path file = resolve(item.fqn(), loc.relativePath());
        FileChannel ch = channel(file, loc.relativePath());
        ChunkArchive zip = ChunkArchive.read(ch, file, item.fqn(), loc.offset(), loc.length());
        checkByteOrder(zip, ch, file, item.fqn());
        TorchHooks hooks = new TorchHooks(file, "data.pkl");
        PickleValue v = unpickle(zip, ch, file, item.fqn(), hooks);
        String where = "chunk at " + java.util.Arrays.toString(chunk.offsets());
        if (!(v instanceof PTensor t)) {
            throw ChunkArchive.fail(file, item.fqn(), loc.offset(), "its " + where + " holds a " + v.typeName()
                    + ", not a tensor");
        }
        TensorView view = t.view();
        if (view.dtype() != item.dtype()) {
            throw CheckpointException.of(Reason.INVALID, "its " + where
                    + " is " + view.dtype() + " but the metadata says " + item.dtype()).inFile(file).at(null, loc.offset()).forTensor(item.fqn());
        }
        if (!java.util.Arrays.equals(view.shape().toArray(), chunk.sizes())) {
            throw ChunkArchive.fail(file, item.fqn(), loc.offset(), "its " + where + " has shape " + view.shape()
                    + " but the metadata says " + java.util.Arrays.toString(chunk.sizes()));
        }
        if (view.quantization() != null) {
            throw CheckpointException.of(Reason.UNSUPPORTED, "its " + where
                    + " is a quantized tensor, which is not supported").inFile(file).at(null, loc.offset()).forTensor(item.fqn());
        }
        ChunkArchive.Record data = zip.get("data/" + view.storage().key());
        if (data == null) {
            throw ChunkArchive.fail(file, item.fqn(), loc.offset(), "its " + where + " archive lacks data/"
                    + view.storage().key());
        }
        if (data.size() != view.storage().byteSize()) {
            throw ChunkArchive.fail(file, item.fqn(), data.dataOffset(), "its " + where + " data record holds "
                    + data.size() + " bytes, not the " + view.storage().byteSize() + " its pickle declares");
        }
        // torch.load gives such a view (transposed, permuted, overlapping) and DCP copies it into
        // place element by element: any layout inside the storage is read as it is.
        long[] strides = view.isContiguous() ? null : view.strides().toArray();
        if (strides != null && java.util.Arrays.stream(strides).anyMatch(x -> x < 0)) {
            throw ChunkArchive.fail(file, item.fqn(), loc.offset(), "its " + where + " has a negative stride "
                    + view.strides());
        }
        long last = view.numel() == 0 ? -1 : view.endElement() - 1;
        int width = view.dtype().byteWidth();
        if (last >= 0 && last >= data.size() / width) {
            throw ChunkArchive.fail(file, item.fqn(), data.dataOffset(), "its " + where + " view reaches element "
                    + last + " of a storage of " + data.size() / width + " elements");
        }
        long offset = Math.multiplyExact(view.storageOffset(), (long) width);
        return new ChunkedStorage.Piece(chunk.offsets(), chunk.sizes(), ch, file, data.dataOffset() + offset, strides);
    }

    private PickleValue bytesItem(DcpMetadata.Item item) throws IOException, CheckpointException {
        DcpMetadata.Location loc = meta.locations.get(DcpMetadata.key(item.fqn(), null));
        if (loc == null) {
            throw meta.fail(item.fqn(), "this bytes item has no storage entry");
        }
        Path file = resolve(item.fqn(), loc.relativePath());
        FileChannel ch = channel(file, loc.relativePath());
        ChunkArchive zip = ChunkArchive.read(ch, file, item.fqn(), loc.offset(), loc.length());
        TorchHooks hooks = new TorchHooks(file, item.fqn() + "/data.pkl");
        PickleValue v;
        try {
            v = unpickle(zip, ch, file, item.fqn(), hooks);
        } finally {
            for (AuditEntry a : hooks.audit().entries()) {
                c.audit().record(a.action(), a.global(), a.offset(), a.verdict());
            }
        }
        if (!hooks.storages().isEmpty()) {
            return new PSymbol(new PGlobal("dcp", "bytes item holding tensors (not read)"), PTuple.EMPTY);
        }
        return v;
    }

    private PickleValue unpickle(ChunkArchive zip, FileChannel ch, Path file, String fqn, TorchHooks hooks)
            throws IOException, CheckpointException {
        ChunkArchive.Record pkl = zip.get("data.pkl");
        if (pkl == null) {
            throw ChunkArchive.fail(file, fqn, -1, "its archive has no data.pkl");
        }
        if (pkl.size() > MAX_ITEM_PICKLE) {
            throw CheckpointException.of(Reason.LIMIT, "its data.pkl has " + pkl.size() + " bytes").inFile(file).at(null, pkl.dataOffset()).forTensor(fqn);
        }
        byte[] bytes = ChunkArchive.read(ch, pkl.dataOffset(), (int) pkl.size()).array();
        PickleValue v;
        try {
            v = new Unpickler(hooks, PickleLimits.DEFAULTS, "data.pkl", pkl.dataOffset())
                    .load(new ByteArrayInputStream(bytes));
        } catch (CheckpointException e) {
            CheckpointException refusal = hooks.refusal();
            throw (refusal != null ? refusal : e).inFile(file).forTensor(fqn);
        }
        CheckpointException refusal = hooks.refusal();
        if (refusal != null) {
            throw refusal.forTensor(fqn);
        }
        return v;
    }

    private static void checkByteOrder(ChunkArchive zip, FileChannel ch, Path file, String fqn)
            throws IOException, CheckpointException {
        ChunkArchive.Record bo = zip.get("byteorder");
        if (bo != null && bo.size() < 16) {
            String order = new String(ChunkArchive.read(ch, bo.dataOffset(), (int) bo.size()).array(),
                    StandardCharsets.US_ASCII);
            if (!order.equals("little")) {
                throw CheckpointException.of(Reason.UNSUPPORTED, "a chunk saved with byte order '" + order + "' is not supported").inFile(file).at(null, bo.dataOffset()).forTensor(fqn);
            }
        }
    }

    /** A .distcp name from the metadata must be a plain file name in the folder. */
    private Path resolve(String fqn, String relative) throws CheckpointException {
        boolean plain = !relative.isEmpty() && !relative.equals(".") && !relative.equals("..")
                && relative.indexOf('/') < 0 && relative.indexOf('\\') < 0 && relative.indexOf('\0') < 0;
        if (!plain) {
            throw CheckpointException.of(Reason.INVALID, "its storage file \"" + relative + "\" is not a plain file name in the checkpoint folder").inFile(folder).at(DcpMetadata.RECORD, -1).forTensor(fqn);
        }
        Path p = folder.resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw CheckpointException.of(Reason.INVALID, "its storage file " + relative + " is missing from the folder").inFile(folder).at(DcpMetadata.RECORD, -1).forTensor(fqn);
        }
        return p;
    }

    private FileChannel channel(Path file, String name) throws IOException {
        FileChannel ch = channels.get(name);
        if (ch == null) {
            ch = c.own(FileChannel.open(file, StandardOpenOption.READ));
            channels.put(name, ch);
        }
        return ch;
    }

    /** Puts {@code value} where planner_data says; an item without planner data keeps its fqn as one key. */
    private void place(PDict root, String fqn, PickleValue value) throws CheckpointException {
        List<PickleValue> path = meta.plannerPaths.getOrDefault(fqn, List.of(new PStr(fqn)));
        PDict at = root;
        for (int i = 0; i < path.size() - 1; i++) {
            PickleValue next = at.get(path.get(i));
            if (next == null) {
                PDict d = new PDict(false);
                at.put(path.get(i), d);
                at = d;
            } else if (next instanceof PDict d) {
                at = d;
            } else {
                throw meta.fail(fqn, "its planner_data path runs through another item");
            }
        }
        if (at.get(path.get(path.size() - 1)) != null) {
            throw meta.fail(fqn, "its planner_data path is already taken by another item");
        }
        at.put(path.get(path.size() - 1), value);
    }
}
