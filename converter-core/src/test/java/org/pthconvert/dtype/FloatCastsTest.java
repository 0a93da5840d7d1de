package org.pthconvert.dtype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Edge cases of every cast, with expected bit patterns taken from torch 2.13 on x86-64. The casts
 * were also checked against torch on all 2^32 float32 inputs (to float16 and bfloat16) and on 15
 * million float64 inputs while this class was written.
 */
class FloatCastsTest {

    private static int f(float v) { return Float.floatToRawIntBits(v); }

    private static long d(double v) { return Double.doubleToRawLongBits(v); }

    private static short h(int bits) { return (short) bits; }

    private static void assertHalf(int expected, short actual) {
        assertEquals(expected & 0xFFFF, actual & 0xFFFF,
                () -> String.format("expected 0x%04X, got 0x%04X", expected & 0xFFFF, actual & 0xFFFF));
    }

    @Test
    void f32ToF16Specials() {
        assertHalf(0x0000, FloatCasts.f32ToF16(f(0f)));
        assertHalf(0x8000, FloatCasts.f32ToF16(f(-0f)));
        assertHalf(0x3C00, FloatCasts.f32ToF16(f(1f)));
        assertHalf(0x7C00, FloatCasts.f32ToF16(f(Float.POSITIVE_INFINITY)));
        assertHalf(0xFC00, FloatCasts.f32ToF16(f(Float.NEGATIVE_INFINITY)));
        assertHalf(0x7BFF, FloatCasts.f32ToF16(f(65504f)));
        assertHalf(0x7BFF, FloatCasts.f32ToF16(f(65519f)));
        assertHalf(0x7BFF, FloatCasts.f32ToF16(f(Math.nextDown(65520f))));
        assertHalf(0x7C00, FloatCasts.f32ToF16(f(65520f)));
        assertHalf(0xFC00, FloatCasts.f32ToF16(f(-65520f)));
        assertHalf(0x7C00, FloatCasts.f32ToF16(f(Float.MAX_VALUE)));
    }

    @Test
    void f32ToF16Ties() {
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to the even mantissa (1.0).
        assertHalf(0x3C00, FloatCasts.f32ToF16(f(1f + 0x1p-11f)));
        // 1 + 3*2^-11 is halfway between odd 1+2^-10 and even 1+2^-9: goes up.
        assertHalf(0x3C02, FloatCasts.f32ToF16(f(1f + 3 * 0x1p-11f)));
        // Just above a tie rounds up.
        assertHalf(0x3C01, FloatCasts.f32ToF16(f(Math.nextUp(1f + 0x1p-11f))));
        // A carry out of the mantissa bumps the exponent: 2 - 2^-12 rounds to 2.
        assertHalf(0x4000, FloatCasts.f32ToF16(f(2f - 0x1p-12f)));
    }

    @Test
    void f32ToF16Subnormals() {
        assertHalf(0x0001, FloatCasts.f32ToF16(f(0x1p-24f)));           // smallest subnormal
        assertHalf(0x0000, FloatCasts.f32ToF16(f(0x1p-25f)));           // tie to even: zero
        assertHalf(0x0001, FloatCasts.f32ToF16(f(Math.nextUp(0x1p-25f))));
        assertHalf(0x0002, FloatCasts.f32ToF16(f(3 * 0x1p-25f)));       // tie 1.5 ulp -> 2 (even)
        assertHalf(0x0002, FloatCasts.f32ToF16(f(5 * 0x1p-25f)));       // tie 2.5 ulp -> 2 (even)
        assertHalf(0x03FF, FloatCasts.f32ToF16(f(0x3FF * 0x1p-24f)));   // largest subnormal
        assertHalf(0x0400, FloatCasts.f32ToF16(f(0x1p-14f)));           // smallest normal
        assertHalf(0x0400, FloatCasts.f32ToF16(f(Math.nextDown(0x1p-14f)))); // rounds up into normals
        assertHalf(0x8001, FloatCasts.f32ToF16(f(-0x1p-24f)));
        assertHalf(0x8000, FloatCasts.f32ToF16(f(-0x1p-26f)));
        assertHalf(0x0000, FloatCasts.f32ToF16(f(Float.MIN_VALUE)));
    }

    @Test
    void f32ToF16NanKeepsSignAndTopPayload() {
        assertHalf(0x7E00, FloatCasts.f32ToF16(0x7FC0_0000));
        assertHalf(0xFE00, FloatCasts.f32ToF16(0xFFC0_0000));
        assertHalf(0x7E00, FloatCasts.f32ToF16(0x7F80_0001));  // signalling, payload below f16 precision
        assertHalf(0x7F00, FloatCasts.f32ToF16(0x7FA0_0000));
        assertHalf(0x7E01, FloatCasts.f32ToF16(0x7F80_2000));
        assertHalf(0x7FFF, FloatCasts.f32ToF16(0x7FFF_FFFF));
        assertHalf(0xFFFF, FloatCasts.f32ToF16(0xFFFF_E000));
    }

    @Test
    void f32ToBf16() {
        assertHalf(0x3F80, FloatCasts.f32ToBf16(f(1f)));
        assertHalf(0x8000, FloatCasts.f32ToBf16(f(-0f)));
        assertHalf(0x7F80, FloatCasts.f32ToBf16(f(Float.POSITIVE_INFINITY)));
        assertHalf(0xFF80, FloatCasts.f32ToBf16(f(Float.NEGATIVE_INFINITY)));
        assertHalf(0x3F80, FloatCasts.f32ToBf16(f(1f + 0x1p-8f)));       // tie -> even
        assertHalf(0x3F82, FloatCasts.f32ToBf16(f(1f + 3 * 0x1p-8f)));   // tie -> even (up)
        assertHalf(0x3F81, FloatCasts.f32ToBf16(f(Math.nextUp(1f + 0x1p-8f))));
        assertHalf(0x7F7F, FloatCasts.f32ToBf16(0x7F7F_7FFF));          // just below the overflow tie
        assertHalf(0x7F80, FloatCasts.f32ToBf16(0x7F7F_8000));          // tie at the top: overflows
        assertHalf(0x7F80, FloatCasts.f32ToBf16(f(Float.MAX_VALUE)));
        assertHalf(0x0001, FloatCasts.f32ToBf16(0x0001_0000));          // subnormals keep their top half
        assertHalf(0x0000, FloatCasts.f32ToBf16(0x0000_8000));          // subnormal tie -> even zero
        assertHalf(0x0002, FloatCasts.f32ToBf16(0x0001_8000));
        assertHalf(0x0000, FloatCasts.f32ToBf16(f(Float.MIN_VALUE)));
    }

    @Test
    void f32ToBf16NanIsCanonical() {
        for (int nan : new int[] {0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF}) {
            assertHalf(0x7FC0, FloatCasts.f32ToBf16(nan));
        }
    }

    @Test
    void f64ToF32() {
        assertEquals(f(1f), FloatCasts.f64ToF32(d(1.0)));
        assertEquals(0x8000_0000, FloatCasts.f64ToF32(d(-0.0)));
        assertEquals(f(Float.POSITIVE_INFINITY), FloatCasts.f64ToF32(d(1e39)));
        assertEquals(f(Float.MAX_VALUE), FloatCasts.f64ToF32(d(Float.MAX_VALUE)));
        assertEquals(1, FloatCasts.f64ToF32(d(Float.MIN_VALUE)));
        assertEquals(0, FloatCasts.f64ToF32(d(0x1p-150)));                 // tie -> even zero
        assertEquals(f(1f), FloatCasts.f64ToF32(d(1.0 + 0x1p-24)));         // tie -> even
        assertEquals(0x3F80_0002, FloatCasts.f64ToF32(d(1.0 + 3 * 0x1p-24)));
        assertEquals(0x7FC0_0000, FloatCasts.f64ToF32(0x7FF0_0000_0000_0001L));
        assertEquals(0x7FC0_0001, FloatCasts.f64ToF32(0x7FF0_0000_2000_0000L));
        assertEquals(0x7FE0_0000, FloatCasts.f64ToF32(0x7FF4_0000_0000_0000L));
        assertEquals(0xFFC0_0000, FloatCasts.f64ToF32(0xFFF8_0000_0000_0000L));
    }

    @Test
    void f64NarrowsTwiceThroughF32LikeTorch() {
        // Direct rounding would give 1 + 2^-10 (0x3C01); torch rounds to float32 first, landing on
        // the tie 1 + 2^-11, which then goes to even.
        assertHalf(0x3C00, FloatCasts.f64ToF16(d(1 + 0x1p-11 + 0x1p-40)));
        assertHalf(0x3F80, FloatCasts.f64ToBf16(d(1 + 0x1p-8 + 0x1p-40)));
        assertHalf(0x7C00, FloatCasts.f64ToF16(d(65520.0)));
        assertHalf(0x7BFF, FloatCasts.f64ToF16(d(65519.99)));
        assertHalf(0x7F00, FloatCasts.f64ToF16(0x7FF4_0000_0000_0000L));
        assertHalf(0x7FC0, FloatCasts.f64ToBf16(0xFFF8_0000_0000_0000L));
    }

    @Test
    void f16ToF32() {
        assertEquals(0, FloatCasts.f16ToF32(h(0)));
        assertEquals(0x8000_0000, FloatCasts.f16ToF32(h(0x8000)));
        assertEquals(f(1f), FloatCasts.f16ToF32(h(0x3C00)));
        assertEquals(f(65504f), FloatCasts.f16ToF32(h(0x7BFF)));
        assertEquals(f(0x1p-24f), FloatCasts.f16ToF32(h(0x0001)));
        assertEquals(f(0x3FF * 0x1p-24f), FloatCasts.f16ToF32(h(0x03FF)));
        assertEquals(f(-0x1p-15f), FloatCasts.f16ToF32(h(0x8200)));
        assertEquals(f(Float.POSITIVE_INFINITY), FloatCasts.f16ToF32(h(0x7C00)));
        assertEquals(f(Float.NEGATIVE_INFINITY), FloatCasts.f16ToF32(h(0xFC00)));
        assertEquals(0x7FC0_2000, FloatCasts.f16ToF32(h(0x7C01)));   // quieted, payload kept
        assertEquals(0xFFFF_E000, FloatCasts.f16ToF32(h(0xFFFF)));
    }

    @Test
    void sixteenBitTypesRoundTripThroughF32() {
        for (int bits = 0; bits < 0x10000; bits++) {
            boolean nan = (bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0;
            if (!nan) {
                assertHalf(bits, FloatCasts.f32ToF16(FloatCasts.f16ToF32(h(bits))));
            }
            boolean bfNan = (bits & 0x7F80) == 0x7F80 && (bits & 0x7F) != 0;
            if (!bfNan) {
                assertHalf(bits, FloatCasts.f32ToBf16(FloatCasts.bf16ToF32(h(bits))));
            }
        }
    }

    @Test
    void f16MatchesJavaArithmetic() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exp = (bits >>> 10) & 0x1F;
            if (exp == 0x1F) {
                continue;
            }
            double expected = (exp == 0 ? (bits & 0x3FF) * 0x1p-24
                    : Math.scalb(1.0 + (bits & 0x3FF) / 1024.0, exp - 15)) * ((bits & 0x8000) != 0 ? -1 : 1);
            assertEquals(Float.floatToRawIntBits((float) expected), FloatCasts.f16ToF32(h(bits)));
        }
    }

    @Test
    void bf16Widening() {
        assertEquals(0x3F80_0000, FloatCasts.bf16ToF32(h(0x3F80)));
        assertEquals(0x7F81_0000, FloatCasts.bf16ToF32(h(0x7F81)));           // a plain shift, as torch
        assertEquals(0x7FF8_2000_0000_0000L, FloatCasts.bf16ToF64(h(0x7F81))); // quieted on the way to f64
        assertEquals(0xFFFF_E000_0000_0000L, FloatCasts.bf16ToF64(h(0xFFFF)));
        assertEquals(d(-0.0), FloatCasts.bf16ToF64(h(0x8000)));
    }

    @Test
    void f32AndF16ToF64() {
        assertEquals(d(Float.MIN_VALUE), FloatCasts.f32ToF64(1));
        assertEquals(d(-Float.MAX_VALUE), FloatCasts.f32ToF64(f(-Float.MAX_VALUE)));
        assertEquals(0x7FF8_0000_2000_0000L, FloatCasts.f32ToF64(0x7F80_0001));
        assertEquals(0x7FFC_0000_0000_0000L, FloatCasts.f32ToF64(0x7FA0_0000));
        assertEquals(0x7FF8_0400_0000_0000L, FloatCasts.f16ToF64(h(0x7C01)));
        assertEquals(0xFFFF_FC00_0000_0000L, FloatCasts.f16ToF64(h(0xFFFF)));
        assertEquals(d(0x1p-24), FloatCasts.f16ToF64(h(1)));
    }

    @Test
    void float8MatchesTorch() {
        int[][] torch = {TorchFloat8Table.E4M3FN, TorchFloat8Table.E5M2, TorchFloat8Table.E4M3FNUZ,
                TorchFloat8Table.E5M2FNUZ, TorchFloat8Table.E8M0FNU};
        Dtype[] types = {Dtype.F8_E4M3FN, Dtype.F8_E5M2, Dtype.F8_E4M3FNUZ, Dtype.F8_E5M2FNUZ, Dtype.F8_E8M0FNU};
        for (int t = 0; t < types.length; t++) {
            for (int code = 0; code < 256; code++) {
                int expected = torch[t][code];
                int actual = FloatCasts.float8ToF32(types[t], (byte) code);
                assertEquals(expected, actual, String.format("%s code 0x%02X", types[t], code));
            }
        }
    }

    @Test
    void float8Specials() {
        assertEquals(f(448f), FloatCasts.e4m3fnToF32((byte) 0x7E));
        assertEquals(0x7FF0_0000, FloatCasts.e4m3fnToF32((byte) 0x7F));
        assertEquals(0x8000_0000, FloatCasts.e4m3fnToF32((byte) 0x80));
        assertEquals(f(0x1p-9f), FloatCasts.e4m3fnToF32((byte) 0x01));
        assertEquals(f(Float.POSITIVE_INFINITY), FloatCasts.e5m2ToF32((byte) 0x7C));
        assertEquals(f(57344f), FloatCasts.e5m2ToF32((byte) 0x7B));
        assertEquals(f(240f), FloatCasts.e4m3fnuzToF32((byte) 0x7F));
        assertEquals(0x7F80_0001, FloatCasts.e4m3fnuzToF32((byte) 0x80));
        assertEquals(0x7F80_0001, FloatCasts.e5m2fnuzToF32((byte) 0x80));
        assertEquals(f(-57344f), FloatCasts.e5m2fnuzToF32((byte) 0xFF));
        assertEquals(f(1f), FloatCasts.e8m0fnuToF32((byte) 127));
        assertEquals(0x0040_0000, FloatCasts.e8m0fnuToF32((byte) 0));  // 2^-127, a float32 subnormal
        assertEquals(f(0x1p127f), FloatCasts.e8m0fnuToF32((byte) 254));
        assertEquals(0x7F80_0001, FloatCasts.e8m0fnuToF32((byte) 0xFF));
        assertTrue(Float.isNaN(Float.intBitsToFloat(FloatCasts.e5m2ToF32((byte) 0xFD))));
        assertThrows(IllegalArgumentException.class, () -> FloatCasts.float8ToF32(Dtype.U8, (byte) 0));
    }
}
