package org.pthconvert.writers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

import org.pthconvert.dtype.Dtype;

/**
 * How to convert, beyond the format's own options.
 *
 * @param castTo          float16/bfloat16/float32 to cast floating tensors to, or null
 * @param dedupe          keep one copy of tensors that share their bytes
 * @param skipUnsupported skip (and report) tensors the format cannot hold, instead of refusing
 * @param force           replace an existing output
 * @param metadata        extra string metadata (safetensors {@code __metadata__})
 */
public record ConversionOptions(Dtype castTo, boolean dedupe, boolean skipUnsupported, boolean force,
                                Map<String, String> metadata, WriteOptions writeOptions) {
    public ConversionOptions {
        // Insertion order is the order keys appear in the output's metadata.
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The same options with a progress callback that receives byte counts as they are written. */
    public ConversionOptions withProgress(LongConsumer progress) {
        return new ConversionOptions(castTo, dedupe, skipUnsupported, force, metadata,
                writeOptions.withProgress(progress));
    }

    public static ConversionOptions defaults() {
        return new ConversionOptions(null, false, false, false, Map.of(), WriteOptions.DEFAULTS);
    }
}
