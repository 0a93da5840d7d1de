package org.pthconvert.writers.hdf5;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.WriterOption;

/**
 * HDF5 (.h5, .hdf5) as h5py reads it: one dataset per tensor, dotted names as groups, each
 * dataset with string attributes {@code name} and {@code torch_dtype}, the root with
 * {@code source}, {@code selection}, {@code pthconvert_version} and the metadata pairs.
 */
public final class Hdf5Writer implements TensorWriter {

    /** {@code --flat}: every dataset in the root group under its full name. */
    public static final String FLAT = "hdf5.flat";
    /** Above HDF5's own limit of 32 dimensions a dataspace cannot be written. */
    static final int MAX_RANK = 32;

    @Override
    public String name() { return "hdf5"; }

    @Override
    public List<String> extensions() { return List.of(".h5", ".hdf5"); }

    @Override
    public String describe() {
        return "HDF5 for h5py/MATLAB: dotted names become groups (--flat: all at the root), each dataset"
                + " carries attributes name and torch_dtype; contiguous, or gzip-chunked with --compress."
                + " bfloat16 and float8 are widened exactly to float32 (--raw-bits: uint16/uint8 bit patterns),"
                + " complex32 to complex64; --dedupe writes tied weights once and adds hard links.";
    }

    @Override
    public List<WriterOption> options() {
        return List.of(new WriterOption(FLAT, "--flat", WriterOption.Type.FLAG,
                "write every dataset in the root group under its full name instead of making groups"));
    }

    @Override
    public boolean keepsMetadata() {
        return true;
    }

    @Override
    public Optional<String> refuse(TensorSpec spec, WriteOptions opts) {
        Dtype d = spec.dtype();
        if (spec.quantization() != null || d.kind() == Dtype.Kind.QUANTIZED) {
            return Optional.of("is quantized (" + d + "); HDF5 output has no quantized types");
        }
        if (d == Dtype.F4_E2M1FN_X2) {
            return Optional.of("float4_e2m1fn_x2 packs two values per byte; HDF5 output has no such type");
        }
        if (Hdf5Types.storage(d, opts.rawBits()).isEmpty()) {
            return Optional.of(d == Dtype.C32 && opts.rawBits()
                    ? "complex32 has no raw-bits form in HDF5; without --raw-bits it is widened to complex64"
                    : "HDF5 output cannot hold " + d);
        }
        if (spec.shape().rank() > MAX_RANK) {
            return Optional.of("has " + spec.shape().rank() + " dimensions; HDF5 allows at most " + MAX_RANK);
        }
        if (opts.compress() && !GzipChunkedStorage.fits(spec.shape().toArray(), d.byteWidth())) {
            return Optional.of("has too many gzip chunks for one HDF5 chunk index; write it without --compress");
        }
        return Hdf5Names.refuse(spec.name());
    }

    @Override
    public WriteSession open(OutputTarget target, WriteOptions opts) throws IOException {
        return new Hdf5Session(this, target.main(), opts);
    }
}
