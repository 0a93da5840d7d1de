package org.pthconvert.writers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.io.TensorSource;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

/**
 * {@link SourceStorages} of one checkpoint, limited to the storages the planned tensors view. Each
 * whole storage is read as a 1-d view over all of it, so it streams like any tensor (file to file
 * when little-endian and in place). What is handed out during {@code begin} is added to the
 * progress total; later requests are refused, since the total is announced by then.
 */
final class CheckpointStorages implements SourceStorages {

    private final Checkpoint ckpt;
    private final Progress progress;
    /** The planned tensors' storages; indexed by key only when a session first asks (most never do). */
    private final List<StorageRef> added = new ArrayList<>();
    private Map<String, StorageRef> refs;
    private long handedOut;
    private boolean closed;

    CheckpointStorages(Checkpoint ckpt, Progress progress) {
        this.ckpt = ckpt;
        this.progress = progress;
    }

    /** Makes {@code ref} available under its key (the storage of a planned tensor). */
    void add(StorageRef ref) {
        added.add(ref);
    }

    @Override
    public TensorSource whole(StorageIdentity origin, Dtype elementType) {
        if (closed) {
            throw new IllegalArgumentException("source storages are asked for during begin, not after it");
        }
        if (refs == null) {
            refs = new HashMap<>(added.size() * 4 / 3 + 1);
            for (StorageRef r : added) {
                refs.putIfAbsent(r.key(), r);
            }
        }
        StorageRef ref = refs.get(origin.storageKey());
        if (ref == null || ref.byteSize() != origin.storageBytes() || ref.dtype() != origin.storageDtype()) {
            throw new IllegalArgumentException("storage '" + origin.storageKey() + "' is not the storage of a "
                    + "planned tensor");
        }
        int width = elementType.byteWidth();
        if ((ref.dtype() != elementType && ref.dtype() != Dtype.U8) || ref.byteSize() % width != 0) {
            throw new IllegalArgumentException("storage '" + ref.key() + "' of " + ref.dtype() + ", "
                    + ref.byteSize() + " bytes, cannot be read as " + elementType + " elements");
        }
        TensorView all = new TensorView(ref, elementType, 0, Shape.of(ref.byteSize() / width), Shape.of(1), null);
        TensorSource s = ckpt.source(all);
        handedOut = Math.addExact(handedOut, s.byteLength());
        return new CountingSource(s, progress);
    }

    /** Ends the time for requests; returns the bytes handed out, for the progress total. */
    long close() {
        closed = true;
        added.clear();
        refs = null;
        return handedOut;
    }
}
