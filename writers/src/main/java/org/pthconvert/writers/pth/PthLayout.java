package org.pthconvert.writers.pth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.StorageIdentity;

/**
 * Decides what the output holds. Compact (the default): one record per tensor, written C-contiguous
 * from offset 0, except that entries with the same origin, dtype and shape share one record (tied
 * weights stay tied, and their bytes are asked for once). Keeping storages: the tensors of one source
 * storage stay views into one record holding that whole storage, when one of them covers it whole
 * (its bytes are the storage's); a storage no selected tensor covers is written compactly, since a
 * writer is handed tensors, not storages. Per-channel quantized tensors add a float64 scales record
 * and an int64 zero-points record. Record keys count up in the order the pickle names them, as torch
 * numbers them.
 */
final class PthLayout {

    /**
     * One state-dict entry to write.
     *
     * @param origin the source view, or null when the bytes are not the source's (a cast)
     */
    record Item(TensorSpec spec, StorageIdentity origin) {
    }

    private record TieKey(StorageIdentity origin, Dtype dtype, Shape shape) {
    }

    private final List<PickledTensor> tensors = new ArrayList<>();
    private final List<StoredRecord> records = new ArrayList<>();
    private final List<TensorSpec> needed = new ArrayList<>();
    private int tied;

    private PthLayout() {
    }

    static PthLayout plan(List<Item> items) {
        return plan(items, false);
    }

    static PthLayout plan(List<Item> items, boolean keepStorages) {
        PthLayout l = new PthLayout();
        Map<String, Item> covers = keepStorages ? covers(items) : Map.of();
        Map<String, StoredRecord> kept = new HashMap<>();
        Map<TieKey, Integer> first = new HashMap<>();
        for (Item it : items) {
            TensorSpec s = it.spec();
            StorageIdentity o = it.origin();
            if (o != null) {
                TieKey k = new TieKey(o, s.dtype(), s.shape());
                Integer earlier = first.get(k);
                if (earlier != null) {
                    PickledTensor e = l.tensors.get(earlier);
                    l.tensors.add(new PickledTensor(s.name(), e.storage(), e.offset(), e.shape(), e.strides(),
                            e.quantization(), e.scales(), e.zeroPoints()));
                    l.tied++;
                    continue;
                }
                first.put(k, l.tensors.size());
                Item cover = covers.get(o.storageKey());
                if (cover != null && viewable(it)) {
                    StoredRecord r = kept.computeIfAbsent(o.storageKey(), key -> {
                        l.needed.add(cover.spec());
                        return l.record(o.storageDtype(), o.storageBytes(),
                                new StoredRecord.FromTensor(cover.spec().name()));
                    });
                    l.tensors.add(new PickledTensor(s.name(), r, o.storageOffset(), s.shape(), o.strides(),
                            null, null, null));
                    continue;
                }
            }
            l.tensors.add(l.compact(s));
        }
        return l;
    }

    /** Per source storage, the first tensor whose bytes are the whole storage. */
    private static Map<String, Item> covers(List<Item> items) {
        Map<String, Item> out = new LinkedHashMap<>();
        for (Item it : items) {
            StorageIdentity o = it.origin();
            if (o != null && viewable(it) && o.storageOffset() == 0
                    && it.spec().byteLength() == o.storageBytes()
                    && o.strides().equals(it.spec().shape().contiguousStrides())) {
                out.putIfAbsent(o.storageKey(), it);
            }
        }
        return out;
    }

    /** A plain tensor of the storage's own dtype, so its offset and strides count the storage's elements. */
    private static boolean viewable(Item it) {
        return it.spec().quantization() == null && it.origin().storageDtype() == it.spec().dtype();
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

    /** Number of entries that share another entry's tensor. */
    int tiedCount() {
        return tied;
    }
}
