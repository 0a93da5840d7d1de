package org.pthconvert.writers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * How to write, shared by every writer; each reads the settings that concern it. Start from
 * {@link #DEFAULTS} and change with the {@code with*} methods, so that settings added later do
 * not break callers.
 *
 * @param metadata     string pairs to store in formats that have metadata (safetensors header,
 *                     ONNX metadata_props); these win over the session's own
 * @param maxShardSize bytes of tensor data per file for formats that shard (safetensors), 0 for one
 *                     file
 * @param compress     deflate where the format allows (npz)
 * @param rawBits      store types the format lacks (bfloat16, float8 in npz) as their bit patterns
 *                     instead of widening them
 * @param sync         fsync the output before it is committed
 * @param progress     told the number of bytes just written, per chunk or per tensor, from the
 *                     writing thread
 * @param extra        writer-specific settings by name (such as {@code onnx.opset}); unknown names
 *                     are ignored
 */
public record WriteOptions(Map<String, String> metadata, long maxShardSize, boolean compress, boolean rawBits,
                           boolean sync, LongConsumer progress, Map<String, String> extra) {

    private static final LongConsumer NO_PROGRESS = bytes -> { };

    public static final WriteOptions DEFAULTS =
            new WriteOptions(Map.of(), 0, false, false, false, NO_PROGRESS, Map.of());

    public WriteOptions {
        metadata = frozen(metadata);
        extra = frozen(extra);
        if (maxShardSize < 0) {
            throw new IllegalArgumentException("maxShardSize must be >= 0 (0 = no sharding): " + maxShardSize);
        }
        progress = progress == null ? NO_PROGRESS : progress;
    }

    private static Map<String, String> frozen(Map<String, String> m) {
        return m == null || m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    public WriteOptions withMetadata(Map<String, String> value) {
        return new WriteOptions(value, maxShardSize, compress, rawBits, sync, progress, extra);
    }

    /** Adds (or replaces) one metadata pair, keeping the others. */
    public WriteOptions withMetadata(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.put(key, value);
        return withMetadata(m);
    }

    public WriteOptions withMaxShardSize(long value) {
        return new WriteOptions(metadata, value, compress, rawBits, sync, progress, extra);
    }

    public WriteOptions withCompress(boolean value) {
        return new WriteOptions(metadata, maxShardSize, value, rawBits, sync, progress, extra);
    }

    public WriteOptions withRawBits(boolean value) {
        return new WriteOptions(metadata, maxShardSize, compress, value, sync, progress, extra);
    }

    public WriteOptions withSync(boolean value) {
        return new WriteOptions(metadata, maxShardSize, compress, rawBits, value, progress, extra);
    }

    public WriteOptions withProgress(LongConsumer value) {
        return new WriteOptions(metadata, maxShardSize, compress, rawBits, sync, value, extra);
    }

    /** Adds (or replaces) one writer-specific setting. */
    public WriteOptions withExtra(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put(key, value);
        return new WriteOptions(metadata, maxShardSize, compress, rawBits, sync, progress, m);
    }

    /** A writer-specific setting, or {@code fallback} when it is not set. */
    public String extra(String key, String fallback) {
        return extra.getOrDefault(key, fallback);
    }
}
