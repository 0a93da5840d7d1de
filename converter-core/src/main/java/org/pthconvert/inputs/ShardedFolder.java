package org.pthconvert.inputs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.CheckpointContainer.Format;
import org.pthconvert.archive.Containers;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.torch.PTensor;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

/**
 * A Hugging Face sharded folder read as one checkpoint: the index's {@code weight_map} (name ->
 * shard file), shards in sorted file-name order as transformers loads them, each shard either a
 * {@code torch.save} state dict (opened and validated as a checkpoint of its own; tied weights keep
 * sharing their storage) or a safetensors file. A missing shard, a name mapped to a shard that lacks
 * it, a tensor in two shards, or a shard name that is not a plain file name in the folder is an error
 * naming it.
 */
final class ShardedFolder {
    private ShardedFolder() {
    }

    /** The parsed index: weight map in file order. */
    record Index(Path file, Map<String, String> weightMap) {
    }

    /** Parses {@code index} if it is a sharded checkpoint index (an object with a weight_map), else null. */
    static Index readIndex(Path index, long maxBytes) throws IOException, CheckpointException {
        long size = Files.size(index);
        if (size > maxBytes) {
            return null;
        }
        Object json;
        try {
            String text = new String(Files.readAllBytes(index), StandardCharsets.UTF_8);
            json = JsonReader.parse(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (JsonReader.JsonException e) {
            return null;
        }
        if (!(json instanceof Map<?, ?> top) || !top.containsKey("weight_map")) {
            return null;
        }
        if (!(top.get("weight_map") instanceof Map<?, ?> wm)) {
            throw fail(index, null, "weight_map is not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : wm.entrySet()) {
            String name = (String) e.getKey();
            if (!(e.getValue() instanceof String shard)) {
                throw fail(index, name, "its weight_map value is not a file name");
            }
            checkPlainName(index, name, shard);
            out.put(name, shard);
        }
        if (out.isEmpty()) {
            throw fail(index, null, "weight_map is empty");
        }
        return new Index(index, out);
    }

    /** A shard must be a plain file name in the index's own folder. */
    private static void checkPlainName(Path index, String tensor, String shard) throws CheckpointException {
        boolean plain = !shard.isEmpty() && !shard.equals(".") && !shard.equals("..") && shard.indexOf('/') < 0
                && shard.indexOf('\\') < 0 && shard.indexOf('\0') < 0 && shard.indexOf(':') < 0;
        if (!plain) {
            throw fail(index, tensor, "its shard \"" + shard + "\" is not a plain file name in the index's folder"
                    + " (an index may only name files beside it)");
        }
    }

    static AssembledContainer open(Path input, Index index, ShardReader shards) throws IOException, CheckpointException {
        Path folder = index.file().toAbsolutePath().getParent();
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        for (String shard : new TreeSet<>(index.weightMap().values())) {
            byShard.put(shard, new ArrayList<>());
        }
        index.weightMap().forEach((name, shard) -> byShard.get(shard).add(name));
        String indexName = index.file().getFileName().toString();
        Format format = null;
        AssembledContainer c = null;
        PDict root = new PDict(true);
        Map<String, String> seenIn = new HashMap<>();
        int shardNo = 0;
        try {
            for (Map.Entry<String, List<String>> s : byShard.entrySet()) {
                Path shard = folder.resolve(s.getKey());
                if (!Files.isRegularFile(shard)) {
                    throw CheckpointException.of(Reason.INVALID, "shard " + s.getKey() + " is missing from " + folder).inFile(index.file()).forTensor(s.getValue().get(0));
                }
                FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ);
                boolean safetensors = Inputs.isSafetensors(ch);
                if (c == null) {
                    format = safetensors ? Format.SHARDED_SAFETENSORS : Format.SHARDED_BIN;
                    c = new AssembledContainer(input, format, indexName, List.copyOf(byShard.keySet()));
                }
                String prefix = shardNo++ + ":";
                PDict shardRoot = new PDict(true);
                if (safetensors) {
                    c.own(ch);
                    SafetensorsInput.add(c, shardRoot, SafetensorsFile.read(ch, shard), ch, prefix);
                } else {
                    ch.close();
                    addCheckpoint(c, shardRoot, shard, prefix, shards);
                }
                merge(index, s.getKey(), s.getValue(), shardRoot, root, seenIn);
            }
        } catch (CheckpointException | IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            throw e;
        }
        c.setRoot(root);
        return c;
    }

    /** A torch.save shard: validated as a checkpoint, its storages served by its own container. */
    private static void addCheckpoint(AssembledContainer c, PDict shardRoot, Path shard, String prefix,
                                      ShardReader shards) throws IOException, CheckpointException {
        ShardReader.Shard read = shards.read(shard);
        List<ShardReader.Tensor> tensors = read.tensors();
        Map<String, StorageRef> refs = read.storages();
        for (AuditEntry a : read.audit()) {
            c.audit().record(a.action(), a.global(), a.offset(), a.verdict());
        }
        for (String skipped : read.skipped()) {
            c.warn(shard.getFileName() + ": " + skipped);
        }
        CheckpointContainer bytes = c.own(Containers.open(shard));
        if (bytes.byteOrder() != java.nio.ByteOrder.LITTLE_ENDIAN) {
            throw CheckpointException.of(Reason.UNSUPPORTED, "a big-endian shard inside a sharded folder is not supported; convert the shard on its own").inFile(shard);
        }
        Map<String, Integer> widths = new HashMap<>();
        refs.values().forEach(r -> widths.put(r.key(), r.dtype().byteWidth()));
        Map<StorageRef, StorageRef> renamed = new IdentityHashMap<>();
        for (ShardReader.Tensor t : tensors) {
            TensorView v = t.view();
            StorageRef ref = renamed.get(v.storage());
            if (ref == null) {
                StorageRef old = v.storage();
                ref = c.storage(new StorageRef(prefix + old.key(), old.dtype(), old.byteSize(), old.location()),
                        bytes.storage(old.key(), widths));
                renamed.put(old, ref);
            }
            TensorView moved = new TensorView(ref, v.dtype(), v.storageOffset(), v.shape(), v.strides(), v.quantization());
            shardRoot.put(new PStr(t.name()), new PTensor(moved, t.kind(), false));
        }
    }

    private static void merge(Index index, String shard, List<String> mapped, PDict shardRoot, PDict root,
                              Map<String, String> seenIn) throws CheckpointException {
        for (String name : mapped) {
            if (shardRoot.get(name) == null) {
                throw fail(index.file(), name, "the index maps it to " + shard + ", which does not hold it");
            }
        }
        for (var e : shardRoot.entries()) {
            String name = ((PStr) e.getKey()).value();
            String before = seenIn.putIfAbsent(name, shard);
            if (before != null) {
                throw fail(index.file(), name, "it is in two shards, " + before + " and " + shard);
            }
            root.put(e.getKey(), e.getValue());
        }
    }

    private static CheckpointException fail(Path file, String tensor, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).forTensor(tensor);
    }
}
