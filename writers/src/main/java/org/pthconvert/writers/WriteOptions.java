package org.pthconvert.writers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to write, shared by every writer; each reads the settings that concern it. Start from
 * {@link #DEFAULTS} and change with the {@code with*} methods, so that settings added later do
 * not break callers.
 *
 * @param metadata     string pairs to store in formats that have metadata (safetensors header,
 *                     ONNX metadata_props, HDF5 attributes); these win over the conversion's own
 * @param maxShardSize bytes of tensor data per file for formats that shard (safetensors), 0 for one
 *                     file
 * @param compress     deflate where the format allows (npz, hdf5)
 * @param rawBits      store types the format lacks (bfloat16, float8 in npz) as their bit patterns
 *                     instead of widening them
 * @param sync         fsync the output before it is committed
 * @param extra        writer-specific settings by key ({@link WriterOption#key()}), in the canonical
 *                     form {@link WriterOption#normalize} gives
 */
public record WriteOptions(Map<String, String> metadata, long maxShardSize, boolean compress, boolean rawBits,
                           boolean sync, Map<String, String> extra) {

    public static final WriteOptions DEFAULTS = new WriteOptions(Map.of(), 0, false, false, false, Map.of());

    public WriteOptions {
        metadata = frozen(metadata);
        extra = frozen(extra);
        if (maxShardSize < 0) {
            throw new IllegalArgumentException("maxShardSize must be >= 0 (0 = no sharding): " + maxShardSize);
        }
    }

    private static Map<String, String> frozen(Map<String, String> m) {
        return m == null || m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    public WriteOptions withMetadata(Map<String, String> value) {
        return new WriteOptions(value, maxShardSize, compress, rawBits, sync, extra);
    }

    /** Adds (or replaces) one metadata pair, keeping the others. */
    public WriteOptions withMetadata(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.put(key, value);
        return withMetadata(m);
    }

    public WriteOptions withMaxShardSize(long value) {
        return new WriteOptions(metadata, value, compress, rawBits, sync, extra);
    }

    public WriteOptions withCompress(boolean value) {
        return new WriteOptions(metadata, maxShardSize, value, rawBits, sync, extra);
    }

    public WriteOptions withRawBits(boolean value) {
        return new WriteOptions(metadata, maxShardSize, compress, value, sync, extra);
    }

    public WriteOptions withSync(boolean value) {
        return new WriteOptions(metadata, maxShardSize, compress, rawBits, value, extra);
    }

    /** Adds (or replaces) one writer-specific setting. */
    public WriteOptions withExtra(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put(key, value);
        return new WriteOptions(metadata, maxShardSize, compress, rawBits, sync, m);
    }

    /** A writer-specific setting, or {@code fallback} when it is not set. */
    public String extra(String key, String fallback) {
        return extra.getOrDefault(key, fallback);
    }

    /** A {@link WriterOption.Type#FLAG} setting; false when not set. */
    public boolean extraFlag(String key) {
        return Boolean.parseBoolean(extra.getOrDefault(key, "false"));
    }

    /** A {@link WriterOption.Type#SIZE} setting in bytes, or {@code fallback}. */
    public long extraSize(String key, long fallback) {
        String v = extra.get(key);
        return v == null ? fallback : WriterOption.parseSize(v);
    }

    /** A {@link WriterOption.Type#INT} setting, or {@code fallback}. */
    public long extraInt(String key, long fallback) {
        String v = extra.get(key);
        return v == null ? fallback : Long.parseLong(v.trim());
    }
}
