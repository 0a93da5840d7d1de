package org.pthconvert.dtype;

/**
 * Exact conversions between floating-point encodings, matching torch's CPU results bit for bit on
 * every value that is not a NaN. All methods take and return raw bit patterns (an {@code int} for a
 * float32, a {@code long} for a float64, a {@code short} for 16-bit types, a {@code byte} for float8)
 * so that NaN payloads are never touched by the JVM.
 *
 * <h2>Rounding</h2>
 * Narrowing rounds to nearest, ties to even, and overflows to infinity (65520f becomes float16 inf,
 * 65519f becomes 65504). float64 to float16 and to bfloat16 go through float32, as torch does: the
 * value is rounded twice ({@code 1 + 2^-11 + 2^-40} becomes float16 1.0, where a direct rounding would
 * give {@code 1 + 2^-10}).
 *
 * <h2>NaN</h2>
 * torch's own NaN results depend on the code path (vectorised loop, scalar tail, CPU capability), so
 * one policy is fixed here, documented per method, and every NaN stays a NaN of the same sign where
 * torch keeps the sign:
 * <ul>
 *   <li>float32 to float16: quiet bit set, top 10 payload bits kept ({@code sign|0x7E00|mant>>13}),
 *       as torch does on every path.</li>
 *   <li>float32 to bfloat16: {@code 0x7FC0} for every NaN, c10's {@code round_to_nearest_even}
 *       (torch's scalar path and non-x86 builds). torch's AVX2/AVX-512 kernels write {@code 0xFFFF}
 *       instead.</li>
 *   <li>widening (float16/float32 to float32/float64): quiet bit set, payload kept, as the
 *       hardware conversions torch's vector loops use. bfloat16 to float32 is a plain shift, as in
 *       torch, so a signalling bfloat16 NaN stays signalling.</li>
 *   <li>float8: exactly torch's {@code .float()}: e4m3fn {@code 0x7F/0xFF} to {@code ±0x7FF00000};
 *       e5m2 as float16; e4m3fnuz, e5m2fnuz {@code 0x80} and e8m0fnu {@code 0xFF} to
 *       {@code 0x7F800001}.</li>
 * </ul>
 */
public final class FloatCasts {

    /** The one bfloat16 NaN this class produces (c10::BFloat16's). */
    public static final short BF16_NAN = 0x7FC0;

    private static final int F32_EXP = 0x7F80_0000;
    private static final int F32_QUIET = 0x0040_0000;
    /** Smallest float32 magnitude that rounds to float16 infinity: 65520. */
    private static final int F16_OVERFLOW = 0x477F_F000;
    /** 2^-14, the smallest normal float16. */
    private static final int F16_MIN_NORMAL = 0x3880_0000;
    /** 2^-25: half the smallest float16 subnormal; it and anything smaller round to zero. */
    private static final int F16_HALF_MIN_SUBNORMAL = 0x3300_0000;

    private FloatCasts() {
    }

    // ---------------------------------------------------------------- narrowing

    /** float32 to float16, round to nearest even. NaN: {@code sign|0x7E00|(mantissa>>13)}. */
    public static short f32ToF16(int f32) {
        int sign = (f32 >>> 16) & 0x8000;
        int abs = f32 & 0x7FFF_FFFF;
        if (abs > F32_EXP) {
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
        }
        if (abs >= F16_OVERFLOW) {
            return (short) (sign | 0x7C00);
        }
        if (abs >= F16_MIN_NORMAL) {
            // Rebias the exponent (127 -> 15), then round the 13 dropped bits to nearest even.
            int rounded = abs - 0x3800_0000 + 0x0FFF + ((abs >>> 13) & 1);
            return (short) (sign | (rounded >>> 13));
        }
        if (abs <= F16_HALF_MIN_SUBNORMAL) {
            return (short) sign;
        }
        // Subnormal result: adding 0.5f puts the float16 subnormal's integer mantissa in the low
        // bits of the sum, rounded to nearest even by the float addition itself.
        float sum = Float.intBitsToFloat(abs) + 0.5f;
        return (short) (sign | (Float.floatToRawIntBits(sum) - 0x3F00_0000));
    }

    /** float32 to bfloat16, round to nearest even. NaN: {@link #BF16_NAN}. */
    public static short f32ToBf16(int f32) {
        if ((f32 & 0x7FFF_FFFF) > F32_EXP) {
            return BF16_NAN;
        }
        int bias = 0x7FFF + ((f32 >>> 16) & 1);
        return (short) ((f32 + bias) >>> 16);
    }

    /** float64 to float32, round to nearest even. NaN: quiet bit set, top 23 payload bits kept. */
    public static int f64ToF32(long f64) {
        if ((f64 & 0x7FFF_FFFF_FFFF_FFFFL) > 0x7FF0_0000_0000_0000L) {
            int sign = (int) (f64 >>> 32) & 0x8000_0000;
            int payload = (int) ((f64 >>> 29) & 0x7F_FFFF);
            return sign | F32_EXP | F32_QUIET | payload;
        }
        return Float.floatToRawIntBits((float) Double.longBitsToDouble(f64));
    }

    /** float64 to float16 through float32, as torch does (two roundings). */
    public static short f64ToF16(long f64) {
        return f32ToF16(f64ToF32(f64));
    }

    /** float64 to bfloat16 through float32, as torch does (two roundings). */
    public static short f64ToBf16(long f64) {
        return f32ToBf16(f64ToF32(f64));
    }

    // ---------------------------------------------------------------- widening (exact)

    /** float16 to float32, exact. NaN: quiet bit set, payload kept. */
    public static int f16ToF32(short f16) {
        int h = f16 & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return mant == 0 ? sign | F32_EXP : sign | F32_EXP | F32_QUIET | (mant << 13);
        }
        if (exp != 0) {
            return sign | ((exp + 112) << 23) | (mant << 13);
        }
        if (mant == 0) {
            return sign;
        }
        // Subnormal: mant * 2^-24, normalised.
        int shift = Integer.numberOfLeadingZeros(mant) - 21; // brings the leading 1 to bit 10
        return sign | ((113 - shift) << 23) | (((mant << shift) & 0x3FF) << 13);
    }

    /** bfloat16 to float32, exact: the upper half of the float32. */
    public static int bf16ToF32(short bf16) {
        return (bf16 & 0xFFFF) << 16;
    }

    /** float32 to float64, exact. NaN: quiet bit set, payload kept. */
    public static long f32ToF64(int f32) {
        if ((f32 & 0x7FFF_FFFF) > F32_EXP) {
            long sign = (long) (f32 & 0x8000_0000) << 32;
            long payload = (long) (f32 & 0x7F_FFFF) << 29;
            return sign | 0x7FF8_0000_0000_0000L | payload;
        }
        return Double.doubleToRawLongBits(Float.intBitsToFloat(f32));
    }

    /** float16 to float64, exact (through float32, as torch). */
    public static long f16ToF64(short f16) {
        return f32ToF64(f16ToF32(f16));
    }

    /** bfloat16 to float64, exact (through float32: a signalling NaN comes out quiet, as in torch). */
    public static long bf16ToF64(short bf16) {
        return f32ToF64(bf16ToF32(bf16));
    }

    // ---------------------------------------------------------------- float8

    /** float8_e4m3fn to float32 as torch's {@code .float()}: no infinity, NaN at 0x7F and 0xFF. */
    public static int e4m3fnToF32(byte b) {
        return Float8Tables.E4M3FN[b & 0xFF];
    }

    /** float8_e5m2 to float32 as torch: the upper byte of a float16. */
    public static int e5m2ToF32(byte b) {
        return Float8Tables.E5M2[b & 0xFF];
    }

    /** float8_e4m3fnuz to float32 as torch: no infinity, no -0, NaN only at 0x80. */
    public static int e4m3fnuzToF32(byte b) {
        return Float8Tables.E4M3FNUZ[b & 0xFF];
    }

    /** float8_e5m2fnuz to float32 as torch: no infinity, no -0, NaN only at 0x80. */
    public static int e5m2fnuzToF32(byte b) {
        return Float8Tables.E5M2FNUZ[b & 0xFF];
    }

    /** float8_e8m0fnu to float32 as torch: {@code 2^(b-127)}, NaN at 0xFF, no sign, no zero. */
    public static int e8m0fnuToF32(byte b) {
        return Float8Tables.E8M0FNU[b & 0xFF];
    }

    /** Any float8 dtype to float32; {@link IllegalArgumentException} for other dtypes. */
    public static int float8ToF32(Dtype float8, byte b) {
        return Float8Tables.table(float8)[b & 0xFF];
    }

    /**
     * A read-only view of the 256 float32 bit patterns a float8 dtype decodes to, for loops that
     * convert many bytes; {@link IllegalArgumentException} for other dtypes.
     */
    static int[] float8Table(Dtype float8) {
        return Float8Tables.table(float8);
    }
}
