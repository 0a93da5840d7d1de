package org.pthconvert.inputs;

import java.util.Map;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.safety.Audit;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.torch.PTensor;

/**
 * A container whose object tree is assembled from the input's own index rather than unpickled:
 * {@link org.pthconvert.model.Checkpoint} walks {@link #root()} and reads each storage through
 * {@link #storage(String, Map)} exactly as for a {@code torch.save} file.
 */
public interface AssembledInput extends CheckpointContainer {

    /** The inert tree: dicts of {@link PTensor}s (and plain values) in the input's order. */
    PickleValue root();

    /** Every storage the tree's tensors use, by key. */
    Map<String, StorageRef> storages();

    /** What the pickles read while assembling (shards, DCP metadata, bytes items) referenced. */
    Audit audit();
}
