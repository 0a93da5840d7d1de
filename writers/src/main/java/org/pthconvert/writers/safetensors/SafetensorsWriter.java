package org.pthconvert.writers.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;

/**
 * safetensors, byte for byte as {@code safetensors.torch.save_file(tensors, path,
 * metadata={"format": "pt", ...})} writes it (safetensors 0.8.0): see {@link SafetensorsHeader}.
 * With {@link WriteOptions#maxShardSize()} the output is a directory in the Hugging Face layout
 * ({@code model-00001-of-00002.safetensors} ... and {@code model.safetensors.index.json}, or just
 * {@code model.safetensors} when everything fits in one shard); see {@link ShardPlan}.
 */
public final class SafetensorsWriter implements TensorWriter {

    /** safetensors' dtype names; a dtype missing here is refused. */
    private static final Map<Dtype, String> TYPE_NAMES = typeNames();

    private static Map<Dtype, String> typeNames() {
        Map<Dtype, String> m = new EnumMap<>(Dtype.class);
        m.put(Dtype.F64, "F64");
        m.put(Dtype.F32, "F32");
        m.put(Dtype.F16, "F16");
        m.put(Dtype.BF16, "BF16");
        m.put(Dtype.F8_E4M3FN, "F8_E4M3");
        m.put(Dtype.F8_E5M2, "F8_E5M2");
        m.put(Dtype.F8_E4M3FNUZ, "F8_E4M3FNUZ");
        m.put(Dtype.F8_E5M2FNUZ, "F8_E5M2FNUZ");
        m.put(Dtype.F8_E8M0FNU, "F8_E8M0");
        m.put(Dtype.I64, "I64");
        m.put(Dtype.I32, "I32");
        m.put(Dtype.I16, "I16");
        m.put(Dtype.I8, "I8");
        m.put(Dtype.U64, "U64");
        m.put(Dtype.U32, "U32");
        m.put(Dtype.U16, "U16");
        m.put(Dtype.U8, "U8");
        m.put(Dtype.BOOL, "BOOL");
        m.put(Dtype.C64, "C64");
        return Collections.unmodifiableMap(m);
    }

    /** The safetensors name of {@code d}, if the format has one. */
    static Optional<String> typeName(Dtype d) {
        return Optional.ofNullable(TYPE_NAMES.get(d));
    }

    @Override
    public String name() { return "safetensors"; }

    @Override
    public List<String> extensions() { return List.of(".safetensors"); }

    @Override
    public String describe() {
        return "Hugging Face safetensors, byte-identical to safetensors.torch.save_file with metadata"
                + " format=pt; --max-shard-size writes the sharded Hugging Face layout."
                + " No complex128, complex32, quantized or packed float4.";
    }

    @Override
    public Optional<String> refuse(TensorSpec spec, WriteOptions opts) {
        Dtype d = spec.dtype();
        if (spec.quantization() != null || d.kind() == Dtype.Kind.QUANTIZED) {
            return Optional.of("is quantized (" + d + "); safetensors has no quantized types");
        }
        if (d == Dtype.F4_E2M1FN_X2) {
            return Optional.of("float4_e2m1fn_x2 packs two values per byte and safetensors' F4 counts"
                    + " single values; safetensors cannot hold it as torch shapes it");
        }
        if (!TYPE_NAMES.containsKey(d)) {   // not typeName: an Optional per tensor
            return Optional.of("safetensors has no " + d + " type");
        }
        if (!CodePoints.isWellFormed(spec.name())) {
            return Optional.of(CodePoints.NO_UTF8_FORM);
        }
        if (spec.name().equals("__metadata__")) {
            return Optional.of("the name '__metadata__' is the safetensors header's metadata key");
        }
        return Optional.empty();
    }

    @Override
    public boolean keepsMetadata() {
        return true;
    }

    @Override
    public boolean writesDirectory(WriteOptions opts) {
        return opts.maxShardSize() > 0;
    }

    @Override
    public WriteSession open(OutputTarget out, WriteOptions opts) throws IOException {
        Path target = out.main();
        if (writesDirectory(opts) && !Files.isDirectory(target)) {
            throw new IOException(target + ": sharded safetensors output needs an existing directory");
        }
        return new SafetensorsSession(this, target, opts);
    }
}
