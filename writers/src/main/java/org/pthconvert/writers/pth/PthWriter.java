package org.pthconvert.writers.pth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;

/**
 * A weights-only {@code .pth}: what {@code torch.save(model.state_dict(), OUT)} writes, so that
 * {@code torch.load(OUT, weights_only=True)} (with or without {@code mmap=True}) gives the selected
 * tensors back, bit for bit, and {@code load_state_dict} accepts them. Every dtype torch has is kept,
 * quantized tensors included; tied weights stay tied; the state dict's {@code _metadata} is kept.
 */
public final class PthWriter implements TensorWriter {

    /** Option key: a fixed {@code .data/serialization_id} (40 digits), for reproducible output. */
    public static final String SERIALIZATION_ID = "pth.serialization-id";
    /** System property with the same meaning, for tests. */
    public static final String SERIALIZATION_ID_PROPERTY = "pthconvert.pth.serializationId";

    @Override
    public String name() { return "pth"; }

    @Override
    public List<String> extensions() { return List.of(".pth", ".pt"); }

    @Override
    public String describe() {
        return "weights-only PyTorch .pth, as torch.save(model.state_dict()) writes it: torch.load(weights_only=True,"
                + " mmap=True) loads it; every dtype and quantized tensors kept, tied weights stay tied, module"
                + " versions (_metadata) kept; Parameters become plain tensors, requires_grad False.";
    }

    @Override
    public Optional<String> refuse(TensorSpec spec, WriteOptions opts) {
        Quantization q = spec.quantization();
        if (q != null && !q.scheme().equals("per_tensor_affine") && !q.scheme().equals("per_channel_affine")) {
            return Optional.of("uses quantization scheme " + q.scheme() + ", which this writer does not keep");
        }
        return Optional.empty();
    }

    @Override
    public WriteSession open(Path target, WriteOptions opts) throws IOException {
        return new PthSession(this, target, finalNameOf(target), opts);
    }

    /** The final name of an {@code AtomicOutput} temporary ({@code .NAME.<hex>.tmp}). */
    private static String finalNameOf(Path target) {
        String n = target.getFileName().toString();
        if (n.startsWith(".") && n.endsWith(".tmp")) {
            String inner = n.substring(1, n.length() - ".tmp".length());
            int dot = inner.lastIndexOf('.');
            return dot > 0 ? inner.substring(0, dot) : inner;
        }
        return n;
    }

    /** torch's top folder: the file name without its last extension ({@code model.pth} -> {@code model}). */
    static String folderFor(String finalName) {
        int dot = finalName.lastIndexOf('.');
        String stem = dot > 0 ? finalName.substring(0, dot) : finalName;
        return stem.isEmpty() ? "archive" : stem;
    }

    static SerializationId serializationId(WriteOptions opts) {
        String fixed = opts.extra(SERIALIZATION_ID, System.getProperty(SERIALIZATION_ID_PROPERTY));
        return fixed == null || fixed.isEmpty() ? SerializationId.random() : new SerializationId(fixed);
    }
}
