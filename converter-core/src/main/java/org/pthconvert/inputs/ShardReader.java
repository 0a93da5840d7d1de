package org.pthconvert.inputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

/**
 * Reads one torch.save shard of a sharded folder as a whole, validated checkpoint. The checkpoint
 * reader ({@code model.Checkpoint}) sits above this package and passes itself in, with the caller's
 * pickle limits, so that inputs never depends on model.
 */
@FunctionalInterface
public interface ShardReader {

    Shard read(Path shard) throws CheckpointException, IOException;

    /**
     * What a shard holds: its tensors in order, its storages by key, everything its pickle named,
     * and one line per tensor that could not be read ("name skipped: reason").
     */
    record Shard(List<Tensor> tensors, Map<String, StorageRef> storages, List<AuditEntry> audit,
                 List<String> skipped) {
        public Shard {
            tensors = List.copyOf(tensors);
            storages = Map.copyOf(storages);
            audit = List.copyOf(audit);
            skipped = List.copyOf(skipped);
        }
    }

    /** One tensor of a shard: its state_dict name, view and which rebuild made it. */
    record Tensor(String name, TensorView view, String kind) {
    }
}
