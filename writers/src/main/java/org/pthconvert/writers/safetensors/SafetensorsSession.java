package org.pthconvert.writers.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.AbstractWriteSession;
import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriterFailures;

/**
 * Writes one .safetensors file, or with a shard limit a directory of shards plus the index. The
 * write order is shard by shard, each shard in the safetensors order.
 */
final class SafetensorsSession extends AbstractWriteSession {

    private final Path target;
    private final List<SafetensorsFile> files = new ArrayList<>();
    private List<List<TensorSpec>> shards = List.of();
    private long totalSize;
    private int current;

    SafetensorsSession(SafetensorsWriter writer, Path target, WriteOptions opts) {
        super(writer, opts);
        this.target = target;
    }

    private boolean sharded() {
        return options().maxShardSize() > 0;
    }

    @Override
    protected List<TensorSpec> onBegin(WritePlan plan) throws IOException, CheckpointException {
        List<TensorSpec> specs = plan.specs();
        Map<String, String> meta = mergedMetadata(metadata(plan));
        totalSize = ShardPlan.totalSize(specs);
        shards = sharded() ? ShardPlan.split(specs, options().maxShardSize()) : List.of(specs);
        List<TensorSpec> order = new ArrayList<>(specs.size());
        for (int i = 0; i < shards.size(); i++) {
            Path file = sharded() ? target.resolve(ShardPlan.fileName(i, shards.size())) : target;
            SafetensorsFile f = new SafetensorsFile(file, SafetensorsHeader.sorted(shards.get(i)), meta);
            files.add(f);
            order.addAll(f.tensors());
        }
        return order;
    }

    /** {@code format: pt}, then the conversion's pairs, then the user's (last wins). */
    private static Map<String, String> mergedMetadata(Map<String, String> fromPlan) throws CheckpointException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(fromPlan);
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!CodePoints.isWellFormed(e.getKey()) || !CodePoints.isWellFormed(e.getValue())) {
                throw WriterFailures.unsupported(null, "metadata '" + e.getKey() + "' is not valid Unicode");
            }
        }
        return meta;
    }

    @Override
    protected void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        while (files.get(current).complete()) {
            files.get(current++).finish();   // only empty shards are complete before a write
        }
        SafetensorsFile f = files.get(current);
        f.write(spec, bytes);
        if (f.complete()) {
            f.finish();
            current++;
        }
    }

    @Override
    protected void onFinish() throws IOException, CheckpointException {
        for (; current < files.size(); current++) {
            files.get(current).finish();
        }
        if (sharded() && files.size() > 1) {
            Files.write(target.resolve(ShardPlan.INDEX_FILE), ShardPlan.indexJson(totalSize, shards));
        }
    }

    @Override
    protected void onClose(boolean aborted) throws IOException {
        if (!aborted) {
            return;
        }
        IOException first = null;
        for (SafetensorsFile f : files) {
            try {
                f.abort();
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
