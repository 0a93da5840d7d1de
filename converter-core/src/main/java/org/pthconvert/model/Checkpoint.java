package org.pthconvert.model;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.Containers;
import org.pthconvert.archive.PickleStream;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.inputs.AssembledInput;
import org.pthconvert.inputs.Inputs;
import org.pthconvert.inputs.ShardReader;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.io.TensorSource;
import org.pthconvert.io.ViewSource;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.torch.PTensor;
import org.pthconvert.pickle.reader.MemoUse;
import org.pthconvert.pickle.reader.Unpickler;
import org.pthconvert.safety.Audit;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;
import org.pthconvert.torch.hooks.TorchHooks;
import org.pthconvert.torch.hooks.TensorRebuilder;

/**
 * An opened, fully validated checkpoint: its object tree (inert values), every tensor in it with
 * its path, and lazy access to each tensor's bytes. Opening reads the pickle and the container's
 * directory, never tensor data, and checks every storage size and every view's bounds, so a broken
 * file fails here, before any command prints or writes.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoint.open(Path.of("model.pth"))) {
 *     for (TensorEntry t : ckpt.tensors()) { ... ckpt.source(t) ... }
 * }
 * }</pre>
 */
public final class Checkpoint implements Closeable {
    private final CheckpointContainer container;
    private final PickleValue root;
    private final Audit audit;
    private List<TensorEntry> tensors;
    private List<Unreadable> unreadable;
    /** Views whose per-channel quantization parameters have been read: original view -> completed view. */
    private final Map<TensorView, TensorView> completed = new IdentityHashMap<>();
    private final TorchHooks hooks;
    private final Map<String, StorageRef> storages;
    /** Storages checked at opening and kept: those the container cannot cheaply make again. */
    private final Map<String, StorageBytes> bytes = new HashMap<>();
    private final ModuleIndex modules;
    /** Warnings of our own, after the container's. */
    private final List<String> warnings = new ArrayList<>();

    private Checkpoint(CheckpointContainer container, PickleValue root, TorchHooks hooks, ModuleIndex modules,
                       TensorWalker.Found found) {
        this.container = container;
        this.root = root;
        this.audit = hooks.audit();
        this.hooks = hooks;
        // The hooks' own map, not a copy: a checkpoint of 100,000 tensors has 100,000 storages.
        this.storages = Collections.unmodifiableMap(hooks.storages());
        this.modules = modules;
        this.tensors = List.copyOf(found.tensors());
        this.unreadable = List.copyOf(found.unreadable());
    }

    /** Opens and validates {@code file}; any problem is one {@link CheckpointException} saying where. */
    public static Checkpoint open(Path file) throws CheckpointException {
        return open(file, PickleLimits.DEFAULTS);
    }

    /** {@link #open(Path)} with the pickle limits {@code limits}. */
    public static Checkpoint open(Path file, PickleLimits limits) throws CheckpointException {
        // Folders, safetensors files and sharded-folder indexes (issue 16), recognised from content.
        CheckpointContainer assembled = Inputs.openIfAssembled(file, shards(limits));
        if (assembled != null) {
            return open(file, assembled, limits);
        }
        return open(Containers.openSource(file), limits);
    }

    /**
     * Opens a checkpoint read in place through any seekable channel (a file on another file system,
     * read with positional reads); {@code name} is what messages call it. The checkpoint owns the
     * channel.
     */
    public static Checkpoint open(java.nio.channels.SeekableByteChannel channel, Path name)
            throws CheckpointException {
        return open(ByteSource.of(channel, name.toString()));
    }

    /** {@link #open(ByteSource, PickleLimits)} with the default limits. */
    public static Checkpoint open(ByteSource source) throws CheckpointException {
        return open(source, PickleLimits.DEFAULTS);
    }

    /**
     * Opens and validates a checkpoint from any random-access source (which the checkpoint then
     * owns: {@link #close()} closes it, and so does a failure here). Every pickle torch.load could
     * unpickle from it is audited before anything else is judged: a dangerous one is refused as
     * dangerous, whatever else is wrong with the file (ambiguous zip records, no checkpoint at all).
     */
    public static Checkpoint open(ByteSource source, PickleLimits limits) throws CheckpointException {
        return open(source.path(), Containers.open(source), limits);
    }

    /** How a sharded folder's torch.save shards are read: each as a whole checkpoint, within {@code limits}. */
    static ShardReader shards(PickleLimits limits) {
        return new ShardsAsCheckpoints(limits);
    }

    /** A class, not a lambda: no lambda is linked on the start path (README, "Start-up"). */
    private static final class ShardsAsCheckpoints implements ShardReader {
        private final PickleLimits limits;

        ShardsAsCheckpoints(PickleLimits limits) {
            this.limits = limits;
        }

        @Override
        public ShardReader.Shard read(Path shard) throws CheckpointException, IOException {
            try (Checkpoint ck = open(shard, limits)) {
                List<ShardReader.Tensor> tensors = new ArrayList<>();
                for (TensorEntry t : ck.tensors()) {
                    tensors.add(new ShardReader.Tensor(t.name(), t.view(), t.kind()));
                }
                List<String> skipped = new ArrayList<>();
                for (Unreadable u : ck.unreadable()) {
                    skipped.add(u.name() + " skipped: " + u.reason());
                }
                return new ShardReader.Shard(tensors, ck.storages(), ck.audit().entries(), skipped);
            }
        }
    }

    private static Checkpoint open(Path file, CheckpointContainer container, PickleLimits limits)
            throws CheckpointException {
        Checkpoint c = null;
        try {
            auditOtherPickles(container, limits);
            c = read(container, limits);
            c.checkStorages();
            c.readQuantization();
            c.checkByteOrder();
            c.noteLegacyUntyped();
            return c;
        } catch (CheckpointException e) {
            closeQuietly(c != null ? c : container); // also the storages opened so far (inflaters, temp files)
            throw e.inFile(file);
        } catch (IOException e) {
            closeQuietly(c != null ? c : container);
            throw CheckpointIOException.unwrap(e, file);
        } catch (RuntimeException e) {
            closeQuietly(c != null ? c : container);
            throw CheckpointException.of(Reason.INVALID, "malformed checkpoint (" + e + ")").inFile(file).at(container.pickleRecordName(), -1).causedBy(e);
        }
    }

    /**
     * Audits every pickle but the main one (read next, with the same hooks), or all of them when the
     * file is to be refused anyway; refuses a dangerous one, then a file refused for another reason.
     */
    private static void auditOtherPickles(CheckpointContainer container, PickleLimits limits)
            throws CheckpointException {
        CheckpointException deferred = container.deferredRefusal();
        List<PickleStream> all = container.pickles();
        List<PickleStream> others = deferred != null ? all : all.subList(Math.min(1, all.size()), all.size());
        if (!others.isEmpty()) {
            CheckpointException refusal = PickleAudits.audit(container.file(), others, limits).refusal();
            if (refusal != null) {
                throw refusal;
            }
        }
        if (deferred != null) {
            throw deferred;
        }
    }

    private static Checkpoint read(CheckpointContainer container, PickleLimits limits)
            throws IOException, CheckpointException {
        if (container instanceof AssembledInput assembled) {
            return assembled(assembled, limits);
        }
        String record = container.pickleRecordName();
        BitSet used;
        try (InputStream in = container.openPickle()) {
            used = MemoUse.scan(in);
        }
        TorchHooks hooks;
        PickleValue root;
        while (true) {
            hooks = new TorchHooks(container.file(), record, limits);
            try (InputStream in = container.openPickle()) {
                root = new Unpickler(hooks, limits, record, container.pickleOffset()).keepingMemo(used).load(in);
                break;
            } catch (MemoUse.Missed e) {
                used = null; // the walk missed a read-back: read the pickle again, keeping every memo entry
            } catch (CheckpointException | IOException | RuntimeException e) {
                // A dangerous call before corrupt bytes is reported as dangerous, not merely as broken.
                CheckpointException refusal = hooks.refusal();
                if (refusal != null) {
                    throw refusal;
                }
                throw e;
            }
        }
        CheckpointException refusal = hooks.refusal();
        if (refusal != null) {
            throw refusal;
        }
        ModuleIndex modules = ModuleIndex.of(container);
        TensorWalker walker = new TensorWalker(hooks.problems(), modules, container.file(), record);
        return new Checkpoint(container, root, hooks, modules, walker.walk(root));
    }

    /**
     * A folder or safetensors input (issue 16): its tree was built from the input's own index, not
     * unpickled; its storages are registered as a pickle would have named them, then walked and
     * checked like any other checkpoint's.
     */
    private static Checkpoint assembled(AssembledInput input, PickleLimits limits)
            throws IOException, CheckpointException {
        String record = input.pickleRecordName();
        TorchHooks hooks = new TorchHooks(input.file(), record, limits);
        hooks.storages().putAll(input.storages());
        for (AuditEntry e : input.audit().entries()) {
            hooks.audit().record(e.action(), e.global(), e.offset(), e.verdict());
        }
        ModuleIndex modules = ModuleIndex.of(input);
        TensorWalker walker = new TensorWalker(hooks.problems(), modules, input.file(), record);
        return new Checkpoint(input, input.root(), hooks, modules, walker.walk(input.root()));
    }

    /** Every declared storage must exist with exactly its declared size. */
    private void checkStorages() throws IOException, CheckpointException {
        Map<String, Integer> widths = elementWidths();
        for (StorageRef s : storages.values()) {
            if (s.key() != null) {
                checkStorage(s, widths);
            }
        }
    }

    /**
     * Element widths by storage key, read from the storages as asked: only a legacy container uses
     * them, and a copy would be a map of 100,000 entries for a checkpoint of as many tensors.
     */
    private Map<String, Integer> elementWidths() {
        return new java.util.AbstractMap<>() {
            @Override
            public Integer get(Object key) {
                StorageRef s = storages.get(key);
                return s == null ? null : s.dtype().byteWidth();
            }

            @Override
            public java.util.Set<Map.Entry<String, Integer>> entrySet() {
                Map<String, Integer> copy = new HashMap<>(storages.size() * 4 / 3 + 1);
                for (StorageRef s : storages.values()) {
                    copy.put(s.key(), s.dtype().byteWidth());
                }
                return copy.entrySet();
            }
        };
    }

    /**
     * One storage's record against the pickle. Its own method, called per storage, so that it is
     * compiled after a few calls: a later loop of a method the JIT compiled while an earlier loop ran
     * stays interpreted for the rest of that call (100,000 turns for as many tensors).
     */
    private void checkStorage(StorageRef s, Map<String, Integer> widths) throws IOException, CheckpointException {
        long plain = container.storagesCheapToReopen() ? container.plainStorageSize(s.key()) : -1;
        if (plain >= 0) {
            // A stored zip record: its size from the directory, its bytes made when a tensor is read.
            if (plain != s.byteSize()) {
                throw sizeMismatch(s, plain);
            }
            return;
        }
        StorageBytes b = container.storage(s.key(), widths);
        // In-place bytes the container can make again cheaply are, when read: a checkpoint of
        // 100,000 tensors would hold 100,000 of them. The others are closed with the checkpoint.
        boolean remake = b.inPlace() && container.storagesCheapToReopen();
        if (!remake) {
            bytes.put(s.key(), b);
        }
        if (b.size() != s.byteSize()) {
            throw sizeMismatch(s, b.size());
        }
        if (remake) {
            b.close();
        }
    }

    private CheckpointException sizeMismatch(StorageRef s, long recordBytes) {
        return CheckpointException.of(Reason.INVALID, "storage record holds " + recordBytes + " bytes but the pickle declares "
                + s.byteSize() + " (" + s.dtype() + ")").inFile(container.file()).at("data/" + s.key(), -1).forTensor(tensorUsing(s.key()));
    }

    /**
     * Reads the scale and zero-point tensors of every per-channel quantized tensor into its
     * {@link org.pthconvert.tensor.Quantization}. One whose zero points are not integers
     * (per_channel_affine_float_qparams) becomes unreadable by name.
     */
    private void readQuantization() throws IOException, CheckpointException {
        Map<PTensor, TensorRebuilder.PerChannel> pending = hooks.perChannel();
        if (pending.isEmpty()) {
            return;
        }
        Map<TensorView, String> notIntegral = new IdentityHashMap<>();
        Map<TensorView, String> names = new IdentityHashMap<>();
        for (TensorEntry t : tensors) {
            names.putIfAbsent(t.view(), t.name());
        }
        for (Map.Entry<PTensor, TensorRebuilder.PerChannel> e : pending.entrySet()) {
            TensorView view = e.getKey().view();
            TensorRebuilder.PerChannel p = e.getValue();
            String name = names.get(view);
            QuantParams.ErrorAt errors = (reason, detail) -> CheckpointException.of(reason, detail).inFile(container.file()).at(container.pickleRecordName(), p.offset()).forTensor(name);
            if (hooks.problems().containsKey(e.getKey())) {
                continue; // the walker has reported it, or it is not reachable
            }
            for (PTensor param : List.of(p.scales(), p.zeroPoints())) {
                TensorRebuilder.Problem problem = hooks.problems().get(param);
                if (problem != null) {
                    throw errors.at(Reason.INVALID, "its quantization parameters: " + problem.detail());
                }
            }
            try {
                completed.put(view, new TensorView(view.storage(), view.dtype(), view.storageOffset(), view.shape(),
                        view.strides(), QuantParams.read(view, p.scales().view(), p.zeroPoints().view(),
                        this::source, errors)));
            } catch (QuantParams.NotIntegral ni) {
                notIntegral.put(view, ni.getMessage());
            }
        }
        List<TensorEntry> kept = new ArrayList<>(tensors.size());
        List<Unreadable> refused = new ArrayList<>(unreadable);
        for (TensorEntry t : tensors) {
            String why = notIntegral.get(t.view());
            if (why != null) {
                refused.add(new Unreadable(t.path(), why));
            } else {
                kept.add(new TensorEntry(t.path(), view(t.view()), t.kind()));
            }
        }
        tensors = List.copyOf(kept);
        unreadable = List.copyOf(refused);
    }

    /**
     * A big-endian file's tensors as torch.load gives them: it swaps each storage by the dtype of the
     * storage's pickled class ({@link ViewSource#swapUnit}). A view that swaps by another unit than its
     * storage (a {@code _rebuild_tensor_v3} of int16 over a FloatStorage, which torch.save never
     * writes) would need that storage swapped whole first: refused by name. Views of untyped storages
     * (torch.save's way for uint16, uint32 and uint64) are not swapped by torch.load: kept as it gives
     * them, with a warning, since their values are then those of the other byte order.
     */
    private void checkByteOrder() {
        if (container.byteOrder() != java.nio.ByteOrder.BIG_ENDIAN) {
            return;
        }
        List<TensorEntry> kept = new ArrayList<>(tensors.size());
        List<Unreadable> refused = new ArrayList<>(unreadable);
        List<String> unswapped = new ArrayList<>();
        for (TensorEntry t : tensors) {
            TensorView v = t.view();
            if (ViewSource.swapsAcrossElements(v, container.byteOrder())) {
                refused.add(new Unreadable(t.path(), "a " + v.dtype().torchName() + " view of a big-endian "
                        + v.storage().dtype().torchName() + " storage: torch.load swaps the storage's bytes as "
                        + v.storage().dtype().torchName() + " elements, which this tool does not reproduce"));
                continue;
            }
            if (ViewSource.swapUnit(v, container.byteOrder()) == 1 && v.dtype().swapUnit() > 1) {
                unswapped.add(t.name());
            }
            kept.add(t);
        }
        if (!unswapped.isEmpty()) {
            boolean one = unswapped.size() == 1;
            warnings.add(unswapped.size() + (one ? " tensor" : " tensors") + " of this big-endian file ('"
                    + CheckpointException.shown(unswapped.get(0)) + "'" + (one ? "" : ", ...")
                    + (one ? ") lies" : ") lie") + " in untyped storages, whose bytes torch.load does not swap: "
                    + "written as it gives them, in the file's byte order");
        }
        tensors = List.copyOf(kept);
        unreadable = List.copyOf(refused);
    }

    /**
     * torch 2.13 writes uint16/32/64, float8 and complex32 tensors into a legacy file as UntypedStorage
     * but cannot load such a file back ({@code _legacy_load} asks the class for a dtype: AttributeError).
     * The bytes are plain (legacy storages are little-endian, each storage's own); the user is told that
     * torch itself will not read the file.
     */
    private void noteLegacyUntyped() {
        String key = hooks.firstUntypedStorage();
        if (key != null && container.format() == CheckpointContainer.Format.LEGACY) {
            warnings.add("torch.load cannot read this legacy file back: storage '" + CheckpointException.shown(key)
                    + "' is an UntypedStorage (torch.save's way for uint16, uint32, uint64, float8 and complex32), "
                    + "on which torch 2.13's legacy loader fails; its tensors are given as torch.save wrote them");
        }
    }

    /**
     * The view of a tensor from {@link #root()} as this checkpoint completed it: per-channel
     * quantization parameters filled in ({@link #tensors()} already holds completed views).
     */
    public TensorView view(PTensor tensor) {
        return view(tensor.view());
    }

    private TensorView view(TensorView v) {
        TensorView c = completed.get(v);
        return c != null ? c : v;
    }

    private String tensorUsing(String key) {
        for (TensorEntry t : tensors) {
            if (key.equals(t.view().storage().key())) {
                return t.name();
            }
        }
        return null;
    }

    public Path file() { return container.file(); }

    public CheckpointContainer.Format format() { return container.format(); }

    /** The unpickled object, as inert values. */
    public PickleValue root() { return root; }

    /** What the pickle references and would do; the verdict of a file that opened is never dangerous. */
    public Audit audit() { return audit; }

    /** Every readable tensor reachable from the root, in pickle order, one entry per path. */
    public List<TensorEntry> tensors() { return tensors; }

    /** Tensor-like values without bytes this tool can produce (meta, sparse, nested). */
    public List<Unreadable> unreadable() { return unreadable; }

    /** Storages by key, in the order the pickle first named them. */
    public Map<String, StorageRef> storages() { return storages; }

    /** Module structure of a whole-model pickle or TorchScript archive, for {@code inspect}. */
    public ModuleIndex modules() { return modules; }

    /**
     * Refuses ({@link IllegalArgumentException}) a view that is not one of this checkpoint's, as
     * {@link #source} does, without making its byte source.
     */
    public void checkOwns(TensorView view) {
        // Storage keys ("0", "1") repeat across files: only this checkpoint's own storage objects count.
        String key = view.storage().key();
        if (key == null || storages.get(key) != view.storage()) {
            throw new IllegalArgumentException("tensor view is not from " + container.file());
        }
    }

    /** The bytes of a tensor from this checkpoint, C-contiguous and little-endian, read lazily. */
    public TensorSource source(TensorView view) {
        checkOwns(view);
        String key = view.storage().key();
        StorageBytes b = bytes.get(key);
        if (b == null) {
            try {
                b = container.storage(key, Map.of());
            } catch (IOException | CheckpointException e) {
                // checkStorages made it once already; the container says making it again reads nothing
                throw new IllegalStateException("storage " + key + " of " + container.file() + " could not be made again", e);
            }
        }
        return new ViewSource(b, view, container.byteOrder());
    }

    public List<String> recordNames() { return new ArrayList<>(container.recordNames()); }

    /** Problems that did not stop reading, one line each. */
    public List<String> warnings() {
        if (warnings.isEmpty()) {
            return container.warnings();
        }
        List<String> all = new ArrayList<>(container.warnings());
        all.addAll(warnings);
        return all;
    }

    /** The root dict's keys as text (a training checkpoint's {@code model}, {@code optimizer}, ...). */
    public List<String> topLevelKeys() {
        List<String> keys = new ArrayList<>();
        if (root instanceof PickleValue.PDict d) {
            for (var e : d.entries()) {
                keys.add(e.getKey() instanceof PickleValue.PStr s ? s.value() : String.valueOf(e.getKey()));
            }
        }
        return keys;
    }

    @Override
    public void close() throws IOException {
        for (StorageBytes b : bytes.values()) {
            b.close();
        }
        container.close();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Already failing with a better message.
        }
    }
}
