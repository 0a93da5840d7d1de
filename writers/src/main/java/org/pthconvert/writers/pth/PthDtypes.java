package org.pthconvert.writers.pth;

import org.pthconvert.dtype.Dtype;

/**
 * How {@code torch.save} names a dtype in {@code data.pkl}: the classic dtypes and the quantized ones
 * through a typed storage class ({@code torch.FloatStorage}) and {@code _rebuild_tensor_v2}; the
 * newer ones (unsigned beyond uint8, float8, float4, complex32) through
 * {@code torch.storage.UntypedStorage} with the dtype passed to {@code _rebuild_tensor_v3}.
 */
final class PthDtypes {

    /** By dtype ordinal; asked twice per tensor, so looked up once here rather than through an Optional. */
    private static final String[] TYPED = new String[Dtype.values().length];

    static {
        for (Dtype d : Dtype.values()) {
            TYPED[d.ordinal()] = switch (d) {
                case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, C64, C128,
                        QINT8, QUINT8, QINT32, QUINT4X2, QUINT2X4 -> d.storageClass().orElse(null);
                default -> null;
            };
        }
    }

    private PthDtypes() {
    }

    /** The typed storage class torch 2.13 pickles for this dtype, or null when it uses UntypedStorage. */
    static String typedStorage(Dtype d) {
        return TYPED[d.ordinal()];
    }

    /** The number torch records as the storage's size: elements of a typed storage, bytes of an untyped one. */
    static long storageNumel(Dtype d, long byteLength) {
        return typedStorage(d) != null ? byteLength / d.byteWidth() : byteLength;
    }
}
