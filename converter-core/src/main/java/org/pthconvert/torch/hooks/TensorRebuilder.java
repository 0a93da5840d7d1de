package org.pthconvert.torch.hooks;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.torch.PStorage;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.torch.PTensor;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

/**
 * Turns the arguments of torch's rebuild functions into {@link TensorView}s. Malformed arguments
 * fail at once with the pickle offset; a view that does not fit its storage is remembered as a
 * {@link #problems() problem} so the error can name the tensor once its path is known.
 */
public final class TensorRebuilder {
    /** Dimensions a tensor may have here. */
    static final int MAX_RANK = 64;

    /** A tensor that parsed but cannot be read: reported by name when the tree is walked. */
    public record Problem(long offset, String detail) {
    }

    /** The scale and zero-point tensors of a per-channel quantized tensor, read once storages are checked. */
    public record PerChannel(PTensor scales, PTensor zeroPoints, long offset) {
    }

    /** Errors name this file and pickle record. */
    private final Path file;
    private final String record;
    private final Map<PTensor, Problem> problems = new IdentityHashMap<>();
    private final Map<PTensor, PerChannel> perChannel = new IdentityHashMap<>();

    /**
     * The last few sizes and strides made, handed out again when they repeat (a model's layers, an
     * optimizer's per-parameter states): 100,000 tensors would otherwise hold 200,000 equal shapes.
     */
    private final Shape[] recent = new Shape[8];
    private int nextRecent;

    TensorRebuilder(Path file, String record) {
        this.file = file;
        this.record = record;
    }

    private CheckpointException error(long offset, String detail) {
        return CheckpointException.at(Reason.INVALID, file, record, offset, detail);
    }

    Map<PTensor, Problem> problems() { return problems; }

    /** Per-channel quantized tensors, by identity, with their parameter tensors. */
    Map<PTensor, PerChannel> perChannel() { return perChannel; }

    /** {@code _rebuild_tensor[_v2|_v3](storage, offset, size, stride, ...)}; dtype null = the storage's. */
    PickleValue tensor(PTuple args, Dtype dtype, long at) throws CheckpointException {
        if (args.size() < 4) {
            throw error(at, "tensor rebuild with " + args.size() + " arguments, expected at least 4");
        }
        if (!(args.get(0) instanceof PStorage storage)) {
            throw error(at, "tensor rebuild on a " + args.get(0).typeName() + ", not a storage");
        }
        Dtype type = dtype != null ? dtype : storage.ref().dtype();
        long offset = nonNegative(args.get(1), "storage offset", at);
        Shape size = dims(args.get(2), "size", at);
        Shape stride = dims(args.get(3), "stride", at);
        if (size.rank() != stride.rank()) {
            throw error(at, "size " + size + " and stride " + stride + " differ in rank");
        }
        boolean grad = args.size() > 4 && args.get(4) instanceof PBool b && b.value();
        return make(storage, type, offset, size, stride, null, grad, "tensor", at);
    }

    /** {@code _rebuild_qtensor(storage, offset, size, stride, quantizer_params, requires_grad, hooks)}. */
    PickleValue qtensor(PTuple args, long at) throws CheckpointException {
        if (args.size() < 5 || !(args.get(0) instanceof PStorage storage) || !(args.get(4) instanceof PTuple q)
                || q.size() < 1) {
            throw error(at, "_rebuild_qtensor expects (storage, offset, size, stride, quantizer_params, ...)");
        }
        long offset = nonNegative(args.get(1), "storage offset", at);
        Shape size = dims(args.get(2), "size", at);
        Shape stride = dims(args.get(3), "stride", at);
        if (size.rank() != stride.rank()) {
            throw error(at, "size " + size + " and stride " + stride + " differ in rank");
        }
        String scheme = q.get(0) instanceof PGlobal g ? g.name() : String.valueOf(q.get(0));
        Quantization quant;
        PerChannel params = null;
        if (scheme.startsWith("per_tensor") && q.size() >= 3) {
            quant = new Quantization(scheme, List.of(number(q.get(1), at)), List.of(integer(q.get(2), at)), -1);
        } else if (scheme.startsWith("per_channel") && q.size() >= 4) {
            // Scales and zero points are tensors themselves; their values are read once storages are checked.
            if (!(q.get(1) instanceof PTensor scales) || !(q.get(2) instanceof PTensor zeroPoints)) {
                throw error(at, "per-channel scales and zero points are a " + q.get(1).typeName() + " and a "
                        + q.get(2).typeName() + ", not tensors");
            }
            long axis = nonNegative(q.get(3), "axis", at);
            if (axis >= size.rank()) {
                throw error(at, "quantization axis " + axis + " is not a dimension of shape " + size);
            }
            quant = new Quantization(scheme, List.of(), List.of(), (int) axis);
            params = new PerChannel(scales, zeroPoints, at);
        } else {
            throw error(at, "unsupported quantization scheme " + scheme);
        }
        PTensor t = make(storage, storage.ref().dtype(), offset, size, stride, quant, false, "qtensor", at);
        if (params != null) {
            perChannel.put(t, params);
        }
        return t;
    }

    /** {@code _rebuild_meta_tensor_no_storage(dtype, size, stride, requires_grad)}: a tensor with no bytes. */
    PickleValue metaTensor(PTuple args, long at) throws CheckpointException {
        if (args.size() < 3 || !(args.get(0) instanceof PGlobal g)) {
            throw error(at, "_rebuild_meta_tensor_no_storage expects (dtype, size, stride, ...)");
        }
        Dtype type = Dtype.fromTorchName(g.name()).orElse(null); // not orElseThrow(lambda): README, "Start-up"
        if (type == null) {
            throw error(at, "unknown dtype " + g);
        }
        Shape size = dims(args.get(1), "size", at);
        Shape stride = dims(args.get(2), "stride", at);
        PTensor t = new PTensor(new TensorView(new StorageRef(null, type, 0, "meta"), type, 0, size, stride, null),
                "meta", false);
        problems.put(t, new Problem(at, "is a meta tensor: it has a shape but no data"));
        return t;
    }

    PickleValue first(PTuple args, long at) throws CheckpointException {
        if (args.size() < 1) {
            throw error(at, "call without arguments");
        }
        return args.get(0);
    }

    private PTensor make(PStorage storage, Dtype type, long offset, Shape size, Shape stride, Quantization quant,
                         boolean grad, String kind, long at) {
        StorageRef ref = storage.ref();
        long start = offset;
        String problem = null;
        try {
            start = Math.addExact(offset, storage.elementOffset());
            size.numel();
        } catch (ArithmeticException e) {
            problem = "shape " + size + " has more elements than fit in 64 bits";
        }
        TensorView view = new TensorView(ref, type, start, size, stride, quant);
        if (problem == null) {
            problem = boundsProblem(view, ref);
        }
        if (problem == null && storage.elementLimit() >= 0) {
            problem = viewProblem(view, storage);
        }
        PTensor t = new PTensor(view, kind, grad);
        if (problem != null) {
            problems.put(t, new Problem(at, problem));
        }
        return t;
    }

    /**
     * A legacy storage view is a slice of its root: torch refuses a tensor that reaches past the
     * slice ({@code set_}: "out of bounds for storage"), even where the root storage goes on.
     */
    private static String viewProblem(TensorView view, PStorage storage) {
        try {
            long end = view.endElement();
            if (view.shape().numel() > 0 && end > Math.addExact(storage.elementOffset(), storage.elementLimit())) {
                return "view (offset " + (view.storageOffset() - storage.elementOffset()) + ", size " + view.shape()
                        + ", stride " + view.strides() + ") ends past its legacy storage view of "
                        + storage.elementLimit() + " elements (at element " + storage.elementOffset()
                        + " of storage '" + storage.ref().key() + "')";
            }
            return null;
        } catch (ArithmeticException e) {
            return "view overflows 64-bit arithmetic";
        }
    }

    private static String boundsProblem(TensorView view, StorageRef ref) {
        int width = view.dtype().byteWidth();
        try {
            long end = view.endElement();
            long endByte = Math.multiplyExact(end, width);
            if (endByte > ref.byteSize()) {
                return "view (offset " + view.storageOffset() + ", size " + view.shape() + ", stride "
                        + view.strides() + ") ends at element " + end + ", past storage '" + ref.key() + "' of "
                        + (ref.byteSize() / width) + " " + view.dtype() + " elements";
            }
            view.byteLength();
            return null;
        } catch (ArithmeticException e) {
            return "view (offset " + view.storageOffset() + ", size " + view.shape() + ", stride " + view.strides()
                    + ") overflows 64-bit arithmetic";
        }
    }

    long nonNegative(PickleValue v, String what, long at) throws CheckpointException {
        long n = integer(v, at, what);
        if (n < 0) {
            throw error(at, what + " is negative (" + n + ")");
        }
        return n;
    }

    private long integer(PickleValue v, long at) throws CheckpointException {
        return integer(v, at, "zero point");
    }

    private long integer(PickleValue v, long at, String what) throws CheckpointException {
        if (v instanceof PInt i) {
            if (!i.fitsLong()) {
                throw error(at, what + " " + i + " does not fit in 64 bits");
            }
            return i.longValueExact();
        }
        if (v instanceof PBool b) {
            return b.value() ? 1 : 0;
        }
        throw error(at, what + " is a " + v.typeName() + ", not an int");
    }

    private double number(PickleValue v, long at) throws CheckpointException {
        if (v instanceof PFloat f) {
            return f.value();
        }
        return integer(v, at, "scale");
    }

    private Shape dims(PickleValue v, String what, long at) throws CheckpointException {
        // A tuple is read through get(i): its items() view would be two objects per shape and stride.
        PTuple tuple = null;
        List<PickleValue> list = null;
        if (v instanceof PTuple t) {
            tuple = t;
        } else if (v instanceof PList l) {
            list = l.items();
        } else if (v instanceof PSymbol s && s.args() != null && s.args().size() == 1
                && s.args().get(0) instanceof PTuple t) {
            tuple = t;
        } else {
            throw error(at, what + " is a " + v.typeName() + ", not a tuple");
        }
        int n = tuple != null ? tuple.size() : list.size();
        if (n > MAX_RANK) {
            // torch itself loads more (2.13 loads 1,000 dimensions of size 1), so this is our limit, not
            // the file's fault: no model has such tensors, and each dimension is work per tensor.
            throw CheckpointException.at(Reason.LIMIT, file, record, at, what + " has " + n
                    + " dimensions; pthconvert reads tensors of up to " + MAX_RANK);
        }
        long[] out = new long[n];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(tuple != null ? tuple.get(i) : list.get(i), what, at);
        }
        for (Shape s : recent) {
            if (s != null && s.hasDims(out)) {
                return s;
            }
        }
        Shape s = Shape.of(out);
        recent[nextRecent] = s;
        nextRecent = (nextRecent + 1) % recent.length;
        return s;
    }

}
