package org.pthconvert.writers.onnx;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.WriterOption;

/**
 * ONNX: a model whose graph holds every tensor as an initializer (name, dims, data_type,
 * little-endian raw_data), at the lowest IR version its dtypes need, or with {@code --into} an
 * existing model whose initializers of the same names get the checkpoint's values. Tensor bytes
 * are inline, or in an external-data sidecar when asked or when they pass a threshold.
 */
public final class OnnxWriter implements TensorWriter {

    static final String EXTERNAL = "onnx.external-data";
    static final String THRESHOLD = "onnx.external-data-threshold";
    static final String DATA_FILE = "onnx.external-data-file";
    static final String INTO = "onnx.into";
    static final String STRICT = "onnx.strict";

    /** Above this many tensor bytes the data goes to a sidecar: protobuf messages stop at 2 GiB. */
    static final long DEFAULT_THRESHOLD = 1L << 30;

    @Override
    public String name() { return "onnx"; }

    @Override
    public List<String> extensions() { return List.of(".onnx"); }

    @Override
    public String describe() {
        return "ONNX model whose graph holds every tensor as an initializer (onnx.load, onnxruntime);"
                + " every dtype exact, external data past 1 GiB; --into refreshes the weights of an exported"
                + " model. No complex32, quantized or packed float4.";
    }

    @Override
    public Optional<String> refuse(TensorSpec spec, WriteOptions opts) {
        Dtype d = spec.dtype();
        if (spec.quantization() != null || d.kind() == Dtype.Kind.QUANTIZED) {
            return Optional.of("is quantized (" + d + "); ONNX tensors have no torch quantization parameters");
        }
        if (d == Dtype.F4_E2M1FN_X2) {
            return Optional.of("is float4_e2m1fn_x2, whose shape counts bytes of two values; ONNX's FLOAT4E2M1"
                    + " counts values");
        }
        if (OnnxTypes.code(d).isEmpty()) {
            return Optional.of("is " + d + "; ONNX has no such type");
        }
        if (spec.name().isEmpty()) {
            return Optional.of("has an empty name; onnx.checker requires every initializer to have one");
        }
        if (!CodePoints.isWellFormed(spec.name())) {
            // protobuf would write '?' in its place (and log a stack trace on stderr): a silent rename.
            return Optional.of(CodePoints.NO_UTF8_FORM);
        }
        return Optional.empty();
    }

    @Override
    public boolean keepsMetadata() {
        return true;
    }

    @Override
    public List<WriterOption> options() {
        return List.of(
                new WriterOption(EXTERNAL, "--external-data", WriterOption.Type.FLAG,
                        "put tensor bytes in a sidecar file (OUT.data) at 4096-aligned offsets instead of"
                                + " inside the model"),
                new WriterOption(THRESHOLD, "--external-data-threshold", WriterOption.Type.SIZE,
                        "use external data when the tensors pass this many bytes (default 1GiB;"
                                + " protobuf caps a model at 2 GiB)"),
                new WriterOption(DATA_FILE, "--external-data-file", WriterOption.Type.STRING,
                        "the sidecar's file name, in OUT's folder (default: OUT's name + .data)"),
                new WriterOption(INTO, "--into", WriterOption.Type.STRING,
                        "write into a copy of this exported model, replacing each initializer whose name"
                                + " equals a checkpoint tensor's (same dims and dtype, else nothing is written);"
                                + " the rest of the model is kept. Exported graphs often name weights differently"
                                + " (onnx::MatMul_123, folded transposes): those are listed, never guessed"),
                new WriterOption(STRICT, "--strict", WriterOption.Type.FLAG,
                        "with --into: fail when a tensor or an initializer has no partner"));
    }

    @Override
    public Optional<String> checkOptions(WriteOptions opts) {
        String file = opts.extra(DATA_FILE, null);
        if (file != null) {
            Optional<String> bad = checkDataFileName(file);
            if (bad.isPresent()) {
                return bad;
            }
        }
        if (opts.extraFlag(STRICT) && opts.extra(INTO, null) == null) {
            return Optional.of("--strict only applies with --into GRAPH.onnx");
        }
        return Optional.empty();
    }

    /** A sidecar name is a plain name beside the model: never a path. */
    static Optional<String> checkDataFileName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
                || name.indexOf('\0') >= 0) {
            return Optional.of("--external-data-file takes a plain file name in the output's folder, not '"
                    + name + "'");
        }
        return Optional.empty();
    }

    @Override
    public WriteSession open(OutputTarget target, WriteOptions opts) throws IOException {
        return new OnnxSession(this, target, opts);
    }
}
