package org.pthconvert.writers.pth;

import java.util.Optional;

import org.pthconvert.dtype.Dtype;

/**
 * How {@code torch.save} names a dtype in {@code data.pkl}: the classic dtypes and the quantized ones
 * through a typed storage class ({@code torch.FloatStorage}) and {@code _rebuild_tensor_v2}; the
 * newer ones (unsigned beyond uint8, float8, float4, complex32) through
 * {@code torch.storage.UntypedStorage} with the dtype passed to {@code _rebuild_tensor_v3}.
 */
final class PthDtypes {

    private PthDtypes() {
    }

    /** The typed storage class torch 2.13 pickles for this dtype, or empty when it uses UntypedStorage. */
    static Optional<String> typedStorage(Dtype d) {
        return switch (d) {
            case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, C64, C128,
                    QINT8, QUINT8, QINT32, QUINT4X2, QUINT2X4 -> d.storageClass();
            default -> Optional.empty();
        };
    }

    /** The number torch records as the storage's size: elements of a typed storage, bytes of an untyped one. */
    static long storageNumel(Dtype d, long byteLength) {
        return typedStorage(d).isPresent() ? byteLength / d.byteWidth() : byteLength;
    }
}
