package org.pthconvert.writers.npz;

import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.TypeChange;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;

/**
 * NumPy .npz: a zip of {@code <name>.npy} members, as {@code np.savez} (stored) or
 * {@code np.savez_compressed} ({@link WriteOptions#compress()}) make them, readable by
 * {@code np.load} under the original names. Every NumPy-native dtype is stored as is; bfloat16 and
 * float8 are widened exactly to {@code <f4} (complex32 to {@code <c8}), or with
 * {@link WriteOptions#rawBits()} stored as their bit patterns ({@code <u2}, {@code |u1}).
 */
public final class NpzWriter implements TensorWriter {

    /** NumPy's {@code descr} of each dtype NumPy has; the others are widened or kept as raw bits. */
    private static final Map<Dtype, String> DESCR = descriptors();

    private static Map<Dtype, String> descriptors() {
        Map<Dtype, String> m = new EnumMap<>(Dtype.class);
        m.put(Dtype.F64, "<f8");
        m.put(Dtype.F32, "<f4");
        m.put(Dtype.F16, "<f2");
        m.put(Dtype.I64, "<i8");
        m.put(Dtype.I32, "<i4");
        m.put(Dtype.I16, "<i2");
        m.put(Dtype.I8, "|i1");
        m.put(Dtype.U64, "<u8");
        m.put(Dtype.U32, "<u4");
        m.put(Dtype.U16, "<u2");
        m.put(Dtype.U8, "|u1");
        m.put(Dtype.BOOL, "|b1");
        m.put(Dtype.C64, "<c8");
        m.put(Dtype.C128, "<c16");
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String name() { return "npz"; }

    @Override
    public List<String> extensions() { return List.of(".npz"); }

    @Override
    public String describe() {
        return "NumPy .npz (np.load gives back every name); stored, or deflated with --compress."
                + " bfloat16 and float8 are widened exactly to float32 (--raw-bits: stored as uint16/uint8 bit"
                + " patterns); complex32 is widened to complex64. No quantized or packed float4.";
    }

    @Override
    public Optional<String> refuse(TensorSpec spec, WriteOptions opts) {
        Dtype d = spec.dtype();
        if (spec.quantization() != null || d.kind() == Dtype.Kind.QUANTIZED) {
            return Optional.of("is quantized (" + d + "); NumPy has no quantized types");
        }
        if (d == Dtype.F4_E2M1FN_X2) {
            return Optional.of("float4_e2m1fn_x2 packs two values per byte; NumPy has no such type");
        }
        if (d == Dtype.C32 && opts.rawBits()) {
            return Optional.of("complex32 has no raw-bits form in npz; without --raw-bits it is widened to complex64");
        }
        return NpzNames.refuse(spec.name());
    }

    /** What a tensor of this dtype is stored as under these options; empty if it is refused. */
    static Optional<Stored> storage(Dtype d, WriteOptions opts) {
        if (DESCR.containsKey(d)) {
            return Optional.of(new Stored(d, DESCR.get(d), null));
        }
        if (d == Dtype.C32) {
            return Optional.of(new Stored(Dtype.C64, "<c8", TypeChange.How.WIDENED));
        }
        if (d.kind() != Dtype.Kind.FLOAT) {
            return Optional.empty();
        }
        if (opts.rawBits()) {
            Dtype bits = d.bits() == 16 ? Dtype.U16 : Dtype.U8;
            return Optional.of(new Stored(bits, DESCR.get(bits), TypeChange.How.RAW_BITS));
        }
        return Optional.of(new Stored(Dtype.F32, "<f4", TypeChange.How.WIDENED));
    }

    /** @param change null when stored in its own dtype */
    record Stored(Dtype dtype, String descr, TypeChange.How change) {
    }

    @Override
    public WriteSession open(OutputTarget target, WriteOptions opts) throws IOException {
        return new NpzSession(this, target.main(), opts);
    }
}
