package org.pthconvert.writers.pth;

import java.util.List;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.writers.StorageIdentity;

/**
 * One {@code data/<key>} record of the output and where its bytes come from.
 *
 * @param index      0, 1, ... in the order the pickle first names the records (and they are written)
 * @param dtype      the storage's element type, which picks its storage class
 * @param byteLength the record's size
 * @param content    what fills it
 */
record StoredRecord(int index, Dtype dtype, long byteLength, Content content) {

    /**
     * The record's key, its index in decimal: made when asked (twice per record), not held, since a
     * state dict of 100,000 tensors has as many records.
     */
    String key() {
        return Integer.toString(index);
    }

    /** Where a record's bytes come from. */
    sealed interface Content {
    }

    /** The bytes the session is handed for the tensor of this name. */
    record FromTensor(String tensor) implements Content {
    }

    /** The whole source storage {@code origin} views, read as elements of the record's dtype. */
    record WholeStorage(StorageIdentity origin) implements Content {
    }

    /** Per-channel scales of a quantized tensor, float64. */
    record Scales(List<Double> values) implements Content {
        Scales {
            values = List.copyOf(values);
        }
    }

    /** Per-channel zero points of a quantized tensor, int64. */
    record ZeroPoints(List<Long> values) implements Content {
        ZeroPoints {
            values = List.copyOf(values);
        }
    }
}
