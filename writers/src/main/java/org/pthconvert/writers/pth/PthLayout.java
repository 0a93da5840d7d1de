package org.pthconvert.writers.pth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.StorageKeys;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.PlannedTensor;
import org.pthconvert.writers.StorageIdentity;

/**
 * Decides what the output holds. Compact (the default): one record per tensor, written C-contiguous
 * from offset 0, except that entries with the same origin, dtype and shape share one record (tied
 * weights stay tied, and their bytes are asked for once). Keeping storages: every source storage a
 * selected tensor views becomes one record holding that whole storage, read from the source, and
 * each tensor is pickled as the source's view into it (offset and strides as saved), so tensors that
 * share memory in the source share it after {@code torch.load}, and an expanded view keeps its small
 * storage. Only a tensor whose type cannot index its storage (a typed storage of another type, which
 * torch does not write) falls back to compact, and is listed in {@link #unkept}. Per-channel
 * quantized tensors add a float64 scales record and an int64 zero-points record. Record keys count
 * up in the order the pickle names them, as torch numbers them.
 */
final class PthLayout {

    private record TieKey(StorageIdentity origin, Dtype dtype, Shape shape) {
        // Written out: a record's generated equals and hashCode spin method handles on first use, 15
        // classes and 23 ms of every strip (the class-data archive cannot keep them).
        @Override
        public boolean equals(Object o) {
            return o instanceof TieKey k && k.dtype == dtype && k.origin.equals(origin) && k.shape.equals(shape);
        }

        @Override
        public int hashCode() { return (origin.hashCode() * 31 + dtype.hashCode()) * 31 + shape.hashCode(); }
    }

    private final List<PickledTensor> tensors = new ArrayList<>();
    private final List<StoredRecord> records = new ArrayList<>();
    private final List<TensorSpec> needed = new ArrayList<>();
    private final List<String> unkept = new ArrayList<>();
    /** Strides of the shape met last (shapes repeat, and are often one object: 100,000 tensors, one shape). */
    private Shape lastShape;
    private Shape lastStrides;

    private PthLayout() {
    }

    static PthLayout plan(List<PlannedTensor> items) {
        return plan(items, false);
    }

    static PthLayout plan(List<PlannedTensor> items, boolean keepStorages) {
        PthLayout l = new PthLayout();
        Map<String, StoredRecord> kept = new HashMap<>();
        boolean ties = sharesAStorage(items);
        Map<TieKey, PickledTensor> first = ties ? new HashMap<>(items.size() * 4 / 3 + 1) : Map.of();
        for (PlannedTensor it : items) {
            TensorSpec s = it.spec();
            StorageIdentity o = it.origin();
            TieKey k = null;
            PickledTensor t = null;
            if (o != null) {
                if (ties) {
                    k = new TieKey(o, s.dtype(), s.shape());
                    PickledTensor e = first.get(k);
                    if (e != null) {
                        l.tensors.add(new PickledTensor(s.name(), e.storage(), e.offset(), e.shape(), e.strides(),
                                e.quantization(), e.scales(), e.zeroPoints()));
                        continue;
                    }
                }
                if (keepStorages) {
                    Dtype element = elementType(it);
                    StoredRecord r = kept.get(o.storageKey());
                    if (element != null && (r == null || r.dtype() == element)) {
                        if (r == null) {
                            r = l.record(element, o.storageBytes(), new StoredRecord.WholeStorage(o));
                            kept.put(o.storageKey(), r);
                        }
                        t = l.withQuantization(s, r, o.storageOffset(), o.strides());
                    }
                }
            }
            if (t == null) {
                if (keepStorages) {
                    l.unkept.add(s.name());
                }
                l.needed.add(s);
                StoredRecord data = l.record(s.dtype(), s.byteLength(), new StoredRecord.FromTensor(s.name()));
                t = l.withQuantization(s, data, 0, l.contiguousStrides(s.shape()));
            }
            l.tensors.add(t);
            if (k != null) {
                first.put(k, t);   // the tensor later views of the same bytes are tied to
            }
        }
        return l;
    }

    /**
     * Whether two items may view one storage (then ties are looked for): a state dict of 100,000
     * tensors usually has as many storages, numbered, which a bit per number shows without a map of
     * tie keys. Any key that is not such a number, or a number far beyond the count (which would
     * make the bits many), is taken as a possible tie.
     */
    private static boolean sharesAStorage(List<PlannedTensor> items) {
        long bound = 4L * items.size() + 1024;
        java.util.BitSet seen = new java.util.BitSet();
        for (PlannedTensor it : items) {
            if (it.origin() == null) {
                continue;
            }
            int k = StorageKeys.decimalKey(it.origin().storageKey(), 0);
            if (k < 0 || k >= bound || seen.get(k)) {
                return true;
            }
            seen.set(k);
        }
        return false;
    }

    /**
     * The type whose elements the tensor's offset and strides count in its storage: the storage's
     * own, or the tensor's for an untyped storage ({@code _rebuild_tensor_v3}); null when neither fits.
     */
    private static Dtype elementType(PlannedTensor it) {
        Dtype d = it.spec().dtype();
        StorageIdentity o = it.origin();
        if (o.storageDtype() == d || (o.storageDtype() == Dtype.U8 && o.storageBytes() % d.byteWidth() == 0)) {
            return d;
        }
        return null;
    }

    private Shape contiguousStrides(Shape shape) {
        if (shape != lastShape && !shape.equals(lastShape)) {
            lastShape = shape;
            lastStrides = shape.contiguousStrides();
        }
        return lastStrides;
    }

    /** The pickled tensor on {@code data}, with its per-channel parameter records after it. */
    private PickledTensor withQuantization(TensorSpec s, StoredRecord data, long offset, Shape strides) {
        Quantization q = s.quantization();
        StoredRecord scales = null;
        StoredRecord zeros = null;
        if (q != null && q.axis() >= 0) {
            scales = record(Dtype.F64, Math.multiplyExact(q.scales().size(), 8L),
                    new StoredRecord.Scales(q.scales()));
            zeros = record(Dtype.I64, Math.multiplyExact(q.zeroPoints().size(), 8L),
                    new StoredRecord.ZeroPoints(q.zeroPoints()));
        }
        return new PickledTensor(s.name(), data, offset, s.shape(), strides, q, scales, zeros);
    }

    private StoredRecord record(Dtype dtype, long bytes, StoredRecord.Content content) {
        StoredRecord r = new StoredRecord(records.size(), dtype, bytes, content);
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

    /** Tensors written compactly although storages were to be kept (none from a file torch wrote). */
    List<String> unkept() {
        return unkept;
    }

    /** The tensors whose bytes the output needs, in record order. */
    List<TensorSpec> needed() {
        return needed;
    }
}
