package org.pthconvert.writers.pth;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.WriterOption;

/**
 * A weights-only {@code .pth}: what {@code torch.save(model.state_dict(), OUT)} writes, so that
 * {@code torch.load(OUT, weights_only=True)} (with or without {@code mmap=True}) gives the selected
 * tensors back, bit for bit, and {@code load_state_dict} accepts them. Every dtype torch has is kept,
 * quantized tensors included; tied weights stay tied; the state dict's {@code _metadata} is kept.
 */
public final class PthWriter implements TensorWriter {

    /** Option key: a fixed {@code .data/serialization_id} (40 digits), for reproducible output. */
    public static final String SERIALIZATION_ID = "pth.serialization-id";
    /** Option key: write the source's storages whole, views into them, instead of each tensor compactly. */
    public static final String KEEP_STORAGES = "pth.keep-storages";
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
    public List<WriterOption> options() {
        return List.of(
                new WriterOption(KEEP_STORAGES, "--keep-storages", WriterOption.Type.FLAG, "write every "
                        + "source storage a tensor views whole, each tensor as the source's view into it (memory "
                        + "shared as in the source), instead of each tensor compactly; not with a cast."),
                new WriterOption(SERIALIZATION_ID, "--serialization-id", WriterOption.Type.STRING, "the 40 "
                        + "digits of .data/serialization_id (random by default), for byte-reproducible output."));
    }

    @Override
    public Optional<String> checkOptions(WriteOptions opts) {
        String id = opts.extra(SERIALIZATION_ID, null);
        if (id != null && !SerializationId.valid(id)) {
            return Optional.of("--serialization-id takes 40 decimal digits, not '" + id + "'");
        }
        return Optional.empty();
    }

    @Override
    public WriteSession open(OutputTarget target, WriteOptions opts) throws IOException {
        return new PthSession(this, target.main(), target.finalName(), opts);
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
