package org.pthconvert.dtype;

import java.util.Locale;
import java.util.Optional;

/**
 * Every element type a PyTorch checkpoint can hold: what it is (width, kind, torch's names). One enum
 * for the whole project; how an output format spells a dtype is that writer's own table, so a new
 * format never edits this file.
 */
public enum Dtype {
    //  torch name, storage class, bits, kind
    F64("float64", "DoubleStorage", 64, Kind.FLOAT),
    F32("float32", "FloatStorage", 32, Kind.FLOAT),
    F16("float16", "HalfStorage", 16, Kind.FLOAT),
    BF16("bfloat16", "BFloat16Storage", 16, Kind.FLOAT),
    F8_E4M3FN("float8_e4m3fn", null, 8, Kind.FLOAT),
    F8_E5M2("float8_e5m2", null, 8, Kind.FLOAT),
    F8_E4M3FNUZ("float8_e4m3fnuz", null, 8, Kind.FLOAT),
    F8_E5M2FNUZ("float8_e5m2fnuz", null, 8, Kind.FLOAT),
    F8_E8M0FNU("float8_e8m0fnu", null, 8, Kind.FLOAT),
    /** Two float4 values packed per byte; torch's shape counts bytes, so no format's F4 matches it. */
    F4_E2M1FN_X2("float4_e2m1fn_x2", null, 8, Kind.PACKED),
    I64("int64", "LongStorage", 64, Kind.SIGNED),
    I32("int32", "IntStorage", 32, Kind.SIGNED),
    I16("int16", "ShortStorage", 16, Kind.SIGNED),
    I8("int8", "CharStorage", 8, Kind.SIGNED),
    U64("uint64", null, 64, Kind.UNSIGNED),
    U32("uint32", null, 32, Kind.UNSIGNED),
    U16("uint16", null, 16, Kind.UNSIGNED),
    U8("uint8", "ByteStorage", 8, Kind.UNSIGNED),
    BOOL("bool", "BoolStorage", 8, Kind.BOOL),
    C32("complex32", "ComplexHalfStorage", 32, Kind.COMPLEX),
    C64("complex64", "ComplexFloatStorage", 64, Kind.COMPLEX),
    C128("complex128", "ComplexDoubleStorage", 128, Kind.COMPLEX),
    QINT8("qint8", "QInt8Storage", 8, Kind.QUANTIZED),
    QUINT8("quint8", "QUInt8Storage", 8, Kind.QUANTIZED),
    QINT32("qint32", "QInt32Storage", 32, Kind.QUANTIZED),
    QUINT4X2("quint4x2", "QUInt4x2Storage", 8, Kind.QUANTIZED),
    QUINT2X4("quint2x4", "QUInt2x4Storage", 8, Kind.QUANTIZED);

    /** {@code values()} copies its array on each call; lookups run once per tensor. */
    private static final Dtype[] ALL = values();

    /** What an element is, for casts and for formats that only hold some kinds. */
    public enum Kind { FLOAT, SIGNED, UNSIGNED, BOOL, COMPLEX, QUANTIZED, PACKED }

    private final String torchName;
    private final String storageClass;
    private final int bits;
    private final Kind kind;

    Dtype(String torchName, String storageClass, int bits, Kind kind) {
        this.torchName = torchName;
        this.storageClass = storageClass;
        this.bits = bits;
        this.kind = kind;
    }

    /** The attribute name in module {@code torch}, e.g. {@code float32}. */
    public String torchName() { return torchName; }

    /** The typed storage class in module {@code torch} (e.g. {@code FloatStorage}), if torch has one. */
    public Optional<String> storageClass() { return Optional.ofNullable(storageClass); }

    public int bits() { return bits; }

    /** Bytes one element takes in a storage; every torch dtype is a whole number of bytes. */
    public int byteWidth() { return bits / 8; }

    public Kind kind() { return kind; }

    public boolean isFloatingPoint() { return kind == Kind.FLOAT; }

    /**
     * Width of the unit that byte order applies to: a complex number swaps each half on its own,
     * and one-byte types never swap.
     */
    public int swapUnit() {
        return kind == Kind.COMPLEX ? byteWidth() / 2 : byteWidth();
    }

    public static Optional<Dtype> fromTorchName(String name) {
        for (Dtype d : ALL) {
            if (d.torchName.equals(name)) {
                return Optional.of(d);
            }
        }
        return switch (name) {
            case "float" -> Optional.of(F32);
            case "double" -> Optional.of(F64);
            case "half" -> Optional.of(F16);
            case "long" -> Optional.of(I64);
            case "int" -> Optional.of(I32);
            case "short" -> Optional.of(I16);
            case "cfloat" -> Optional.of(C64);
            case "cdouble" -> Optional.of(C128);
            case "chalf" -> Optional.of(C32);
            default -> Optional.empty();
        };
    }

    public static Optional<Dtype> fromStorageClass(String className) {
        for (Dtype d : ALL) {
            if (className.equals(d.storageClass)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Accepts the names a user would type: {@code float16}, {@code fp16}, {@code f16}, {@code half}, {@code bf16}. */
    public static Optional<Dtype> parseUserName(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Optional<Dtype> byTorch = fromTorchName(t);
        if (byTorch.isPresent()) {
            return byTorch;
        }
        return switch (t) {
            case "fp16", "f16" -> Optional.of(F16);
            case "bf16" -> Optional.of(BF16);
            case "fp32", "f32" -> Optional.of(F32);
            case "fp64", "f64" -> Optional.of(F64);
            default -> Optional.empty();
        };
    }

    @Override
    public String toString() { return torchName; }
}
