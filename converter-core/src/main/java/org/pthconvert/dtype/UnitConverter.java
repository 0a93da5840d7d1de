package org.pthconvert.dtype;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Converts runs of little-endian values between byte arrays with {@link FloatCasts}: the inner
 * loop of {@code org.pthconvert.io.TensorCast}. The common widenings have their own loops; the rest go through
 * float32, which holds every narrower value exactly.
 */
@FunctionalInterface
public interface UnitConverter {

    VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Converts {@code n} values from {@code in[inOff..]} to {@code out[outOff..]}. */
    void convert(byte[] in, int inOff, byte[] out, int outOff, int n);

    static UnitConverter of(Dtype from, Dtype to) {
        if (from == Dtype.F64) {
            return switch (to) {
                case F32 -> (in, p, out, q, n) -> {
                    for (int i = 0; i < n; i++) {
                        INT.set(out, q + 4 * i, FloatCasts.f64ToF32((long) LONG.get(in, p + 8 * i)));
                    }
                };
                case F16, BF16 -> then(of(from, Dtype.F32), 8, to);
                default -> throw unsupported(from, to);
            };
        }
        if (from.bits() == 8) {
            int[] table = FloatCasts.float8Table(from);
            UnitConverter toF32 = (in, p, out, q, n) -> {
                for (int i = 0; i < n; i++) {
                    INT.set(out, q + 4 * i, table[in[p + i] & 0xFF]);
                }
            };
            return to == Dtype.F32 ? toF32 : then(toF32, 1, to);
        }
        return switch (from) {
            case BF16 -> {
                UnitConverter toF32 = (in, p, out, q, n) -> {
                    for (int i = 0; i < n; i++) {
                        INT.set(out, q + 4 * i, FloatCasts.bf16ToF32((short) SHORT.get(in, p + 2 * i)));
                    }
                };
                yield to == Dtype.F32 ? toF32 : then(toF32, 2, to);
            }
            case F16 -> {
                UnitConverter toF32 = (in, p, out, q, n) -> {
                    for (int i = 0; i < n; i++) {
                        INT.set(out, q + 4 * i, FloatCasts.f16ToF32((short) SHORT.get(in, p + 2 * i)));
                    }
                };
                yield to == Dtype.F32 ? toF32 : then(toF32, 2, to);
            }
            case F32 -> switch (to) {
                case F64 -> (in, p, out, q, n) -> {
                    for (int i = 0; i < n; i++) {
                        LONG.set(out, q + 8 * i, FloatCasts.f32ToF64((int) INT.get(in, p + 4 * i)));
                    }
                };
                case F16 -> (in, p, out, q, n) -> {
                    for (int i = 0; i < n; i++) {
                        SHORT.set(out, q + 2 * i, FloatCasts.f32ToF16((int) INT.get(in, p + 4 * i)));
                    }
                };
                case BF16 -> (in, p, out, q, n) -> {
                    for (int i = 0; i < n; i++) {
                        SHORT.set(out, q + 2 * i, FloatCasts.f32ToBf16((int) INT.get(in, p + 4 * i)));
                    }
                };
                default -> throw unsupported(from, to);
            };
            default -> throw unsupported(from, to);
        };
    }

    /**
     * {@code toF32} followed by float32 to {@code to}, a block at a time through a small scratch
     * array. {@code inWidth} is the source's width in bytes.
     */
    private static UnitConverter then(UnitConverter toF32, int inWidth, Dtype to) {
        UnitConverter fromF32 = of(Dtype.F32, to);
        int block = 1024;
        return (in, p, out, q, n) -> {
            byte[] scratch = new byte[4 * Math.min(block, n)];
            int outWidth = to.byteWidth();
            for (int done = 0; done < n; done += block) {
                int m = Math.min(block, n - done);
                toF32.convert(in, p + done * inWidth, scratch, 0, m);
                fromF32.convert(scratch, 0, out, q + done * outWidth, m);
            }
        };
    }

    private static IllegalArgumentException unsupported(Dtype from, Dtype to) {
        return new IllegalArgumentException("no exact cast from " + from + " to " + to);
    }
}
