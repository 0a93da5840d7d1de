package org.pthconvert.writers.pth;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.select.ModuleMetadata;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;

/**
 * {@code data.pkl} of a state dict, as {@code torch.save(model.state_dict())} pickles it: an
 * {@code OrderedDict} of {@code _rebuild_tensor_v2}/{@code _v3}/{@code _rebuild_qtensor} calls whose
 * storages are persistent ids, then BUILD with {@code {'_metadata': OrderedDict(...)}}. Only globals
 * that {@code torch.load(weights_only=True)} accepts appear. Tied entries are separate tensors on one
 * storage, as {@code state_dict()} gives them.
 */
final class DataPickle {

    /** CPython's pickler writes dict items in batches of this many per MARK ... SETITEMS. */
    private static final int BATCH = 1000;

    /** About what torch pickles per tensor besides its name; with the names, a first guess at the pickle's size. */
    private static final int BYTES_PER_TENSOR = 96;

    private final PickleWriter p;
    private final Map<String, Integer> strings = new HashMap<>();
    /** Memo slot of each record's key string once pickled, by record index; -1 before. */
    private int[] keySlots = new int[0];

    private DataPickle(List<PickledTensor> tensors) {
        long guess = 256 + (long) BYTES_PER_TENSOR * tensors.size();
        for (int i = 0; i < tensors.size(); i++) {
            guess += tensors.get(i).name().length();
        }
        p = new PickleWriter((int) Math.min(1 << 28, guess));
    }

    static ByteBuffer encode(List<PickledTensor> tensors, ModuleMetadata metadata) {
        DataPickle d = new DataPickle(tensors);
        d.stateDict(tensors, metadata);
        return d.p.finish();
    }

    private void stateDict(List<PickledTensor> tensors, ModuleMetadata metadata) {
        newOrderedDict();
        // Plain loops with batch marks around each item, not a callback per item: no lambda is
        // linked on the start path (README, "Start-up").
        int n = tensors.size();
        for (int i = 0; i < n; i++) {
            beforeItem(i, n);
            PickledTensor t = tensors.get(i);
            p.str(t.name());
            p.put();
            tensor(t);
            afterItem(i, n);
        }
        if (!metadata.isEmpty()) {
            p.emptyDict();
            p.put();
            p.str("_metadata");
            p.put();
            newOrderedDict();
            List<Map.Entry<String, Map<String, Object>>> modules = new ArrayList<>(metadata.modules().entrySet());
            for (int i = 0; i < modules.size(); i++) {
                beforeItem(i, modules.size());
                p.str(modules.get(i).getKey());
                p.put();
                p.emptyDict();
                p.put();
                List<Map.Entry<String, Object>> values = new ArrayList<>(modules.get(i).getValue().entrySet());
                for (int j = 0; j < values.size(); j++) {
                    beforeItem(j, values.size());
                    sharedStr(values.get(j).getKey());
                    scalar(values.get(j).getValue());
                    afterItem(j, values.size());
                }
                afterItem(i, modules.size());
            }
            p.setItem();
            p.build();
        }
    }

    /**
     * Before item {@code i} of {@code n} pushed into the dict on the stack: items go in batches of
     * {@value #BATCH}, each batch of more than one after a MARK, the way CPython does.
     */
    private void beforeItem(int i, int n) {
        if (i % BATCH == 0 && Math.min(n, i + BATCH) - i > 1) {
            p.mark();
        }
    }

    /** After item {@code i} of {@code n}: the last of a batch sets the batch's items. */
    private void afterItem(int i, int n) {
        int start = i - i % BATCH;
        int end = Math.min(n, start + BATCH);
        if (i == end - 1) {
            if (end - start > 1) {
                p.setItems();
            } else {
                p.setItem();
            }
        }
    }

    private void newOrderedDict() {
        p.global("collections", "OrderedDict");
        p.emptyTuple();
        p.reduce();
        p.put();
    }

    /** Pushes one tensor and memoises it. */
    private void tensor(PickledTensor t) {
        Quantization q = t.quantization();
        Dtype dtype = t.storage().dtype();
        boolean typed = PthDtypes.typedStorage(dtype) != null;
        if (q != null) {
            p.global("torch._utils", "_rebuild_qtensor");
        } else {
            p.global("torch._utils", typed ? "_rebuild_tensor_v2" : "_rebuild_tensor_v3");
        }
        p.mark();
        storage(t.storage());
        p.integer(t.offset());
        ints(t.shape());
        ints(t.strides());
        if (q != null) {
            quantizer(q, t);
        }
        p.bool(false);                 // requires_grad, as state_dict() gives
        emptyOrderedDict();            // backward_hooks
        if (q == null && !typed) {
            p.global("torch", dtype.torchName());
        }
        p.markTuple();
        p.put();
        p.reduce();
        p.put();
    }

    private void quantizer(Quantization q, PickledTensor t) {
        if (t.scales() == null) {
            p.global("torch", q.scheme());
            p.floating(q.scales().get(0));
            p.integer(q.zeroPoints().get(0));
            p.tuple(3);
        } else {
            p.mark();
            p.global("torch", q.scheme());
            plainTensor(t.scales(), q.scales().size());
            plainTensor(t.zeroPoints(), q.zeroPoints().size());
            p.integer(q.axis());
            p.markTuple();
        }
        p.put();
    }

    /** A 1-d tensor filling its own record (per-channel scales or zero points). */
    private void plainTensor(StoredRecord r, long n) {
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.mark();
        storage(r);
        p.integer(0);
        ints(Shape.of(n));
        ints(Shape.of(1));
        p.bool(false);
        emptyOrderedDict();
        p.markTuple();
        p.put();
        p.reduce();
        p.put();
    }

    private void storage(StoredRecord r) {
        p.mark();
        sharedStr("storage");
        String cls = PthDtypes.typedStorage(r.dtype());
        if (cls != null) {
            p.global("torch", cls);
        } else {
            p.global("torch.storage", "UntypedStorage");
        }
        if (r.index() >= keySlots.length) {
            int old = keySlots.length;
            keySlots = Arrays.copyOf(keySlots, Math.max(r.index() + 1, 2 * old));
            Arrays.fill(keySlots, old, keySlots.length, -1);
        }
        if (keySlots[r.index()] >= 0) {
            p.get(keySlots[r.index()]);     // a storage seen before: torch pickles its key string once
        } else {
            p.decimalStr(r.index()); // the key: its index in decimal
            keySlots[r.index()] = p.put();
        }
        sharedStr("cpu");
        p.integer(PthDtypes.storageNumel(r.dtype(), r.byteLength()));
        p.markTuple();
        p.put();
        p.persid();
    }

    private void emptyOrderedDict() {
        p.global("collections", "OrderedDict");
        p.emptyTuple();
        p.reduce();
        p.put();
    }

    private void ints(Shape s) {
        int n = s.rank();
        if (n > 3) {
            p.mark();
        }
        for (int i = 0; i < n; i++) {
            p.integer(s.dim(i));
        }
        if (n > 3) {
            p.markTuple();
        } else {
            p.tuple(n);
        }
        if (n > 0) {
            p.put();
        }
    }

    /** A string CPython would hold as one interned object: pickled once, then taken from the memo. */
    private void sharedStr(String s) {
        Integer slot = strings.get(s);
        if (slot != null) {
            p.get(slot);
            return;
        }
        p.str(s);
        strings.put(s, p.put());
    }

    /** A module-metadata value: Long, Double, Boolean, String or null (see {@link ModuleMetadata}). */
    private void scalar(Object v) {
        if (v instanceof Long i) {
            p.integer(i);
        } else if (v instanceof Double f) {
            p.floating(f);
        } else if (v instanceof String s) {
            p.str(s);
            p.put();
        } else if (v instanceof Boolean b) {
            p.bool(b);
        } else if (v == null) {
            p.none();
        } else {
            throw new IllegalArgumentException("module metadata value of type " + v.getClass().getSimpleName());
        }
    }
}
