package org.pthconvert.model;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.Containers;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.io.TensorSource;
import org.pthconvert.io.ViewSource;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.Unpickler;
import org.pthconvert.safety.Audit;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

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
    private final List<TensorEntry> tensors;
    private final List<Unreadable> unreadable;
    private final Map<String, StorageRef> storages;
    private final Map<String, StorageBytes> bytes = new HashMap<>();
    private final ModuleIndex modules;

    private Checkpoint(CheckpointContainer container, PickleValue root, TorchHooks hooks, ModuleIndex modules,
                       TensorWalker.Found found) {
        this.container = container;
        this.root = root;
        this.audit = hooks.audit();
        this.storages = new LinkedHashMap<>(hooks.storages());
        this.modules = modules;
        this.tensors = List.copyOf(found.tensors());
        this.unreadable = List.copyOf(found.unreadable());
    }

    /** Opens and validates {@code file}; any problem is one {@link CheckpointException} saying where. */
    public static Checkpoint open(Path file) throws CheckpointException {
        CheckpointContainer container = Containers.open(file);
        try {
            Checkpoint c = read(container);
            c.checkStorages();
            return c;
        } catch (CheckpointException e) {
            closeQuietly(container);
            throw e.inFile(file);
        } catch (IOException e) {
            closeQuietly(container);
            throw CheckpointIOException.unwrap(e, file);
        } catch (RuntimeException e) {
            closeQuietly(container);
            throw new CheckpointException(Reason.INVALID, file, container.pickleRecordName(), -1, null,
                    "malformed checkpoint (" + e + ")", e);
        }
    }

    private static Checkpoint read(CheckpointContainer container) throws IOException, CheckpointException {
        String record = container.pickleRecordName();
        TorchHooks hooks = new TorchHooks(container.file(), record, false);
        PickleValue root;
        try (InputStream in = container.openPickle()) {
            root = new Unpickler(hooks, PickleLimits.DEFAULTS, record, container.pickleOffset()).load(in);
        }
        ModuleIndex modules = ModuleIndex.of(container);
        TensorWalker walker = new TensorWalker(hooks.problems(), modules::view,
                (offset, tensor, detail) -> new CheckpointException(Reason.INVALID, container.file(), record,
                        offset, tensor, detail, null));
        return new Checkpoint(container, root, hooks, modules, walker.walk(root));
    }

    /** Every declared storage must exist with exactly its declared size. */
    private void checkStorages() throws IOException, CheckpointException {
        Map<String, Integer> widths = new HashMap<>();
        for (StorageRef s : storages.values()) {
            widths.put(s.key(), s.dtype().byteWidth());
        }
        for (StorageRef s : storages.values()) {
            if (s.key() == null) {
                continue;
            }
            StorageBytes b = container.storage(s.key(), widths);
            bytes.put(s.key(), b);
            if (b.size() != s.byteSize()) {
                throw new CheckpointException(Reason.INVALID, container.file(), "data/" + s.key(), -1,
                        tensorUsing(s.key()), "storage record holds " + b.size() + " bytes but the pickle declares "
                        + s.byteSize() + " (" + s.dtype() + ")", null);
            }
        }
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

    /** The bytes of a tensor from this checkpoint, C-contiguous and little-endian, read lazily. */
    public TensorSource source(TensorView view) {
        StorageBytes b = bytes.get(view.storage().key());
        if (b == null) {
            throw new IllegalArgumentException("tensor view is not from this checkpoint");
        }
        return new ViewSource(b, view, container.byteOrder());
    }

    public List<String> recordNames() { return new ArrayList<>(container.recordNames()); }

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
