package org.pthconvert.writers.pth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;

/**
 * Decides what the output holds: one record per tensor, written C-contiguous from offset 0, except
 * that entries with the same tie key, dtype and shape share one record (tied weights stay tied, and
 * their bytes are asked for once); per-channel quantized tensors add a float64 scales record and an int64 zero-points record.
 * Record keys count up in the order the pickle names them, as torch numbers them.
 */
final class PthLayout {

    /**
     * One state-dict entry to write.
     *
     * @param tie an identity of the source view (storage, offset, strides), or null when the bytes
     *            are not the source's (a cast): equal non-null ties with equal dtype and shape are
     *            the same tensor
     */
    record Item(TensorSpec spec, Object tie) {
    }

    private record TieKey(Object tie, Dtype dtype, Shape shape) {
    }

    private final List<PickledTensor> tensors = new ArrayList<>();
    private final List<StoredRecord> records = new ArrayList<>();
    private final List<TensorSpec> needed = new ArrayList<>();
    private int tied;

    private PthLayout() {
    }

    static PthLayout plan(List<Item> items) {
        PthLayout l = new PthLayout();
        Map<TieKey, Integer> first = new HashMap<>();
        for (Item it : items) {
            TensorSpec s = it.spec();
            if (it.tie() != null) {
                TieKey k = new TieKey(it.tie(), s.dtype(), s.shape());
                Integer earlier = first.get(k);
                if (earlier != null) {
                    PickledTensor e = l.tensors.get(earlier);
                    l.tensors.add(new PickledTensor(s.name(), e.storage(), e.offset(), e.shape(), e.strides(),
                            e.quantization(), e.scales(), e.zeroPoints()));
                    l.tied++;
                    continue;
                }
                first.put(k, l.tensors.size());
            }
            l.tensors.add(l.compact(s));
        }
        return l;
    }

    private PickledTensor compact(TensorSpec s) {
        StoredRecord data = record(s.dtype(), s.byteLength(), new StoredRecord.FromTensor(s.name()));
        needed.add(s);
        Quantization q = s.quantization();
        StoredRecord scales = null;
        StoredRecord zeros = null;
        if (q != null && q.axis() >= 0) {
            scales = record(Dtype.F64, Math.multiplyExact(q.scales().size(), 8L),
                    new StoredRecord.Scales(q.scales()));
            zeros = record(Dtype.I64, Math.multiplyExact(q.zeroPoints().size(), 8L),
                    new StoredRecord.ZeroPoints(q.zeroPoints()));
        }
        return new PickledTensor(s.name(), data, 0, s.shape(), s.shape().contiguousStrides(), q, scales, zeros);
    }

    private StoredRecord record(Dtype dtype, long bytes, StoredRecord.Content content) {
        StoredRecord r = new StoredRecord(Integer.toString(records.size()), dtype, bytes, content);
        records.add(r);
        return r;
    }

    /** The state dict's entries in order. */
    List<PickledTensor> tensors() {
        return tensors;
    }

    /** Every record, in key order. */
    List<StoredRecord> records() {
        return records;
    }

    /** The tensors whose bytes the output needs, in record order. */
    List<TensorSpec> needed() {
        return needed;
    }

    /** Number of tied entries that share another's tensor. */
    int tiedCount() {
        return tied;
    }
}
