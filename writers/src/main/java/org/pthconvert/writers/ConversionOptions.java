package org.pthconvert.writers;

import org.pthconvert.dtype.Dtype;

/**
 * How to convert, beyond the format's own options ({@link #writeOptions()}, which also carries the
 * user's metadata).
 *
 * @param castTo          float16/bfloat16/float32 to cast floating tensors to, or null
 * @param dedupe          keep one copy of tensors that share their bytes
 * @param skipUnsupported skip (and report) tensors the format cannot hold, instead of refusing
 * @param force           replace an existing output
 * @param maxExpand       refuse an output larger than this many times the input's stored tensor
 *                        bytes (stride-0 views can describe terabytes from a few bytes); 0 for no limit
 * @param writeOptions    the format's options
 * @param progress        told the total, then each batch of source bytes the writer takes
 */
public record ConversionOptions(Dtype castTo, boolean dedupe, boolean skipUnsupported, boolean force,
                                double maxExpand, WriteOptions writeOptions, Progress progress) {

    /** The default of {@link #maxExpand}: a bfloat16 model widened to float32 is 2x; 16x is far past that. */
    public static final double DEFAULT_MAX_EXPAND = 16;

    public ConversionOptions {
        if (!(maxExpand >= 0)) {
            throw new IllegalArgumentException("maxExpand must be >= 0 (0 = no limit): " + maxExpand);
        }
        writeOptions = writeOptions == null ? WriteOptions.DEFAULTS : writeOptions;
        progress = progress == null ? Progress.NONE : progress;
    }

    public static ConversionOptions defaults() {
        return new ConversionOptions(null, false, false, false, DEFAULT_MAX_EXPAND, WriteOptions.DEFAULTS, null);
    }

    public ConversionOptions withCastTo(Dtype value) {
        return new ConversionOptions(value, dedupe, skipUnsupported, force, maxExpand, writeOptions, progress);
    }

    public ConversionOptions withDedupe(boolean value) {
        return new ConversionOptions(castTo, value, skipUnsupported, force, maxExpand, writeOptions, progress);
    }

    public ConversionOptions withSkipUnsupported(boolean value) {
        return new ConversionOptions(castTo, dedupe, value, force, maxExpand, writeOptions, progress);
    }

    public ConversionOptions withForce(boolean value) {
        return new ConversionOptions(castTo, dedupe, skipUnsupported, value, maxExpand, writeOptions, progress);
    }

    public ConversionOptions withMaxExpand(double value) {
        return new ConversionOptions(castTo, dedupe, skipUnsupported, force, value, writeOptions, progress);
    }

    public ConversionOptions withWriteOptions(WriteOptions value) {
        return new ConversionOptions(castTo, dedupe, skipUnsupported, force, maxExpand, value, progress);
    }

    /** The same options with a callback that receives source byte counts as they reach the writer. */
    public ConversionOptions withProgress(Progress value) {
        return new ConversionOptions(castTo, dedupe, skipUnsupported, force, maxExpand, writeOptions, value);
    }
}
