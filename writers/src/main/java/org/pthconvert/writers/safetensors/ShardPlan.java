package org.pthconvert.writers.safetensors;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.CodePoints;

/**
 * Splits tensors into shards the way Hugging Face does ({@code huggingface_hub}
 * {@code split_state_dict_into_shards_factory}, used by transformers' {@code save_pretrained}):
 * tensors in the caller's order fill the current shard until the next one would push it past the
 * limit, which then starts a new shard; a tensor bigger than the limit alone gets its own shard,
 * placed at once, before the shard still being filled. The same input therefore gives the same
 * {@code weight_map} as {@code split_torch_state_dict_into_shards} with the same limit. Within
 * each shard file, tensors follow the safetensors order.
 */
final class ShardPlan {

    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";

    private ShardPlan() {
    }

    /** Groups of tensors, one per shard, each in the caller's order; at least one (maybe empty). */
    static List<List<TensorSpec>> split(List<TensorSpec> specs, long maxShardSize) {
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long currentSize = 0;
        for (TensorSpec s : specs) {
            long size = s.byteLength();
            if (size > maxShardSize) {
                shards.add(List.of(s));
                continue;
            }
            if (currentSize + size > maxShardSize) {  // both <= maxShardSize: no overflow
                shards.add(current);
                current = new ArrayList<>();
                currentSize = 0;
            }
            current.add(s);
            currentSize += size;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    /** {@code model.safetensors} for one shard, else {@code model-00002-of-00003.safetensors}. */
    static String fileName(int index, int count) {
        return count == 1 ? SINGLE_FILE : String.format("model-%05d-of-%05d.safetensors", index + 1, count);
    }

    /**
     * {@code model.safetensors.index.json} as transformers writes it:
     * {@code json.dumps(index, indent=2, sort_keys=True) + "\n"}, so keys in code point order and
     * non-ASCII names escaped.
     */
    static byte[] indexJson(long totalSize, List<List<TensorSpec>> shards) {
        Map<String, String> weightMap = new TreeMap<>(CodePoints.ORDER);
        for (int i = 0; i < shards.size(); i++) {
            String file = fileName(i, shards.size());
            for (TensorSpec s : shards.get(i)) {
                weightMap.put(s.name(), file);
            }
        }
        StringBuilder sb = new StringBuilder(64 + 64 * weightMap.size());
        sb.append("{\n  \"metadata\": {\n    \"total_size\": ").append(totalSize).append("\n  },\n  \"weight_map\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            sb.append(first ? "\n    " : ",\n    ");
            first = false;
            Json.pythonAsciiString(sb, e.getKey());
            sb.append(": ");
            Json.pythonAsciiString(sb, e.getValue());
        }
        sb.append(first ? "}\n}\n" : "\n  }\n}\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static long totalSize(List<TensorSpec> specs) {
        long total = 0;
        for (TensorSpec s : specs) {
            total = Math.addExact(total, s.byteLength());
        }
        return total;
    }
}
