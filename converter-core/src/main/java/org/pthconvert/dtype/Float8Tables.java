package org.pthconvert.dtype;

/**
 * The float32 bit pattern of each of the 256 codes of every float8 dtype, computed once from the
 * format definitions and then patched with torch's NaN encodings. Tested against a table torch made.
 */
final class Float8Tables {

    static final int[] E4M3FN = build(4, 3, 7, false);
    static final int[] E5M2 = buildE5m2();
    static final int[] E4M3FNUZ = build(4, 3, 8, true);
    static final int[] E5M2FNUZ = build(5, 2, 16, true);
    static final int[] E8M0FNU = buildE8m0();

    /** What torch's {@code .float()} gives for the fnuz NaN (0x80) and e8m0fnu's 0xFF. */
    private static final int TORCH_FNUZ_NAN = 0x7F80_0001;

    static {
        // e4m3fn: S.1111.111 is NaN (torch keeps sign and the 3 mantissa bits), no infinity.
        E4M3FN[0x7F] = 0x7FF0_0000;
        E4M3FN[0xFF] = 0xFFF0_0000;
        // fnuz: 0x80 ("-0") is the only NaN.
        E4M3FNUZ[0x80] = TORCH_FNUZ_NAN;
        E5M2FNUZ[0x80] = TORCH_FNUZ_NAN;
    }

    private Float8Tables() {
    }

    static int[] table(Dtype dtype) {
        return switch (dtype) {
            case F8_E4M3FN -> E4M3FN;
            case F8_E5M2 -> E5M2;
            case F8_E4M3FNUZ -> E4M3FNUZ;
            case F8_E5M2FNUZ -> E5M2FNUZ;
            case F8_E8M0FNU -> E8M0FNU;
            default -> throw new IllegalArgumentException(dtype + " is not a float8 dtype");
        };
    }

    /** A sign bit, {@code expBits} exponent bits with {@code bias}, {@code mantBits} mantissa bits, no inf. */
    private static int[] build(int expBits, int mantBits, int bias, boolean unsignedZero) {
        int[] t = new int[256];
        int mantMask = (1 << mantBits) - 1;
        for (int code = 0; code < 256; code++) {
            int exp = (code >>> mantBits) & ((1 << expBits) - 1);
            int mant = code & mantMask;
            double magnitude = exp == 0
                    ? Math.scalb((double) mant, 1 - bias - mantBits)
                    : Math.scalb((double) (mant | (1 << mantBits)), exp - bias - mantBits);
            boolean negative = (code & 0x80) != 0 && !(unsignedZero && code == 0x80);
            // Every float8 value is exactly representable in float32, so the cast is exact.
            t[code] = Float.floatToRawIntBits((float) (negative ? -magnitude : magnitude));
        }
        return t;
    }

    private static int[] buildE5m2() {
        int[] t = new int[256];
        for (int code = 0; code < 256; code++) {
            t[code] = FloatCasts.f16ToF32((short) (code << 8));
        }
        return t;
    }

    private static int[] buildE8m0() {
        int[] t = new int[256];
        for (int code = 0; code < 255; code++) {
            // 2^(code-127): code 0 is the float32 subnormal 2^-127, the rest are plain exponents.
            t[code] = code == 0 ? 0x0040_0000 : code << 23;
        }
        t[255] = TORCH_FNUZ_NAN;
        return t;
    }
}
