package org.pthconvert.writers.onnx;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;

import org.pthconvert.dtype.Dtype;

/**
 * How ONNX spells each dtype ({@code TensorProto.DataType}), the IR version that introduced it,
 * and the default-domain opset that goes with an IR version.
 */
final class OnnxTypes {

    /** IR 4 lets initializers stand alone, without being graph inputs; nothing older is written. */
    static final int MIN_IR = 4;

    private record Entry(int code, int ir) {
    }

    private static final Map<Dtype, Entry> TABLE = table();

    private OnnxTypes() {
    }

    private static Map<Dtype, Entry> table() {
        Map<Dtype, Entry> m = new EnumMap<>(Dtype.class);
        m.put(Dtype.F32, new Entry(1, MIN_IR));
        m.put(Dtype.U8, new Entry(2, MIN_IR));
        m.put(Dtype.I8, new Entry(3, MIN_IR));
        m.put(Dtype.U16, new Entry(4, MIN_IR));
        m.put(Dtype.I16, new Entry(5, MIN_IR));
        m.put(Dtype.I32, new Entry(6, MIN_IR));
        m.put(Dtype.I64, new Entry(7, MIN_IR));
        m.put(Dtype.BOOL, new Entry(9, MIN_IR));
        m.put(Dtype.F16, new Entry(10, MIN_IR));
        m.put(Dtype.F64, new Entry(11, MIN_IR));
        m.put(Dtype.U32, new Entry(12, MIN_IR));
        m.put(Dtype.U64, new Entry(13, MIN_IR));
        m.put(Dtype.C64, new Entry(14, MIN_IR));
        m.put(Dtype.C128, new Entry(15, MIN_IR));
        m.put(Dtype.BF16, new Entry(16, MIN_IR));
        // IR 9 (2023) added the four float8 kinds, IR 12 (2025) FLOAT8E8M0 (onnx.proto's Version notes).
        m.put(Dtype.F8_E4M3FN, new Entry(17, 9));
        m.put(Dtype.F8_E4M3FNUZ, new Entry(18, 9));
        m.put(Dtype.F8_E5M2, new Entry(19, 9));
        m.put(Dtype.F8_E5M2FNUZ, new Entry(20, 9));
        m.put(Dtype.F8_E8M0FNU, new Entry(24, 12));
        return Collections.unmodifiableMap(m);
    }

    /** The {@code data_type} code, empty when ONNX has no such type (complex32, quantized, packed float4). */
    static OptionalInt code(Dtype d) {
        Entry e = TABLE.get(d);
        return e == null ? OptionalInt.empty() : OptionalInt.of(e.code);
    }

    /** A data_type code in words for messages: the torch name of the dtype it matches, else the code. */
    static String describe(int code) {
        for (Map.Entry<Dtype, Entry> e : TABLE.entrySet()) {
            if (e.getValue().code == code) {
                return e.getKey().torchName();
            }
        }
        return "ONNX data_type " + code;
    }

    /** The lowest IR version that has {@code d}; {@link #MIN_IR} for types ONNX lacks. */
    static int minIr(Dtype d) {
        Entry e = TABLE.get(d);
        return e == null ? MIN_IR : e.ir;
    }

    /**
     * The default-domain opset to import with a model of IR version {@code ir}: 17 (a widely run
     * opset) up to IR 8, else the opset released with that IR version, so that no runtime sees an
     * IR version newer than its opset.
     */
    static int opsetFor(int ir) {
        return switch (ir) {
            case 4, 5, 6, 7, 8 -> 17;
            case 9 -> 19;
            case 10 -> 21;
            case 11 -> 23;
            default -> 24;
        };
    }
}
