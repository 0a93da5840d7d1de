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
import org.pthconvert.writers.CallOrder;
import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.WriterFailures;

/**
 * Writes one .safetensors file, or with a shard limit a directory of shards plus the index. The
 * write order is shard by shard, each shard in the safetensors order.
 */
final class SafetensorsSession implements WriteSession {

    private final SafetensorsWriter writer;
    private final Path target;
    private final WriteOptions opts;
    private final CallOrder calls = new CallOrder("safetensors");
    private final List<SafetensorsFile> files = new ArrayList<>();
    private List<List<TensorSpec>> shards = List.of();
    private long totalSize;
    private int current;

    SafetensorsSession(SafetensorsWriter writer, Path target, WriteOptions opts) {
        this.writer = writer;
        this.target = target;
        this.opts = opts;
    }

    private boolean sharded() {
        return opts.maxShardSize() > 0;
    }

    @Override
    public List<TensorSpec> begin(List<TensorSpec> specs, Map<String, String> metadata)
            throws IOException, CheckpointException {
        calls.checkBegin(specs);
        try {
            for (TensorSpec s : specs) {
                var reason = writer.refuse(s, opts);
                if (reason.isPresent()) {
                    throw WriterFailures.unsupported(s.name(), reason.get());
                }
            }
            Map<String, String> meta = mergedMetadata(metadata);
            totalSize = ShardPlan.totalSize(specs);
            shards = sharded() ? ShardPlan.split(specs, opts.maxShardSize()) : List.of(specs);
            List<TensorSpec> order = new ArrayList<>(specs.size());
            for (int i = 0; i < shards.size(); i++) {
                Path file = sharded() ? target.resolve(ShardPlan.fileName(i, shards.size())) : target;
                SafetensorsFile f = new SafetensorsFile(file, SafetensorsHeader.sorted(shards.get(i)), meta);
                files.add(f);
                order.addAll(f.tensors());
            }
            calls.beginDone(order);
            return order;
        } catch (CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    /** {@code format: pt}, then the session's pairs, then the user's (last wins). */
    private Map<String, String> mergedMetadata(Map<String, String> fromSession) throws CheckpointException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(fromSession);
        meta.putAll(opts.metadata());
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!CodePoints.isWellFormed(e.getKey()) || !CodePoints.isWellFormed(e.getValue())) {
                throw WriterFailures.unsupported(null, "metadata '" + e.getKey() + "' is not valid Unicode");
            }
        }
        return meta;
    }

    @Override
    public void write(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        calls.checkWrite(spec, bytes);
        try {
            while (files.get(current).complete()) {
                files.get(current++).finish();   // only empty shards are complete before a write
            }
            SafetensorsFile f = files.get(current);
            f.write(spec, bytes);
            opts.progress().accept(spec.byteLength());
            if (f.complete()) {
                f.finish();
                current++;
            }
            calls.writeDone();
        } catch (IOException | CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    @Override
    public void finish() throws IOException, CheckpointException {
        calls.checkFinish();
        try {
            for (; current < files.size(); current++) {
                files.get(current).finish();
            }
            if (sharded() && files.size() > 1) {
                Files.write(target.resolve(ShardPlan.INDEX_FILE), ShardPlan.indexJson(totalSize, shards));
            }
            calls.finishDone();
        } catch (IOException | CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        if (calls.close()) {
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
}
