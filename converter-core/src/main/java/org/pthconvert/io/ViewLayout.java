package org.pthconvert.io;

import java.util.ArrayList;
import java.util.List;

import org.pthconvert.tensor.TensorView;

/**
 * A tensor view reduced to its essentials for copying: size-1 dimensions dropped and neighbouring
 * dimensions merged wherever the outer stride equals the inner stride times the inner size (so a
 * contiguous view becomes one dimension of stride 1, and a transposed matrix stays two). Offsets
 * and strides count elements. All arithmetic is overflow-checked.
 *
 * @param offset  first element, relative to the storage start
 * @param dims    merged sizes, outermost first (empty for a single element)
 * @param strides merged strides, same rank as {@code dims}
 * @param numel   number of elements (0 for an empty view)
 */
record ViewLayout(long offset, long[] dims, long[] strides, long numel) {

    /** The strides of every contiguous layout, shared: layouts never change their arrays. */
    private static final long[] UNIT_STRIDE = {1};

    static ViewLayout of(TensorView view) {
        long numel = view.numel();
        if (numel > 1 && view.isContiguous() && noNegativeStride(view)) {
            // What the merge below makes of it, without its list (one layout per tensor written)
            return new ViewLayout(view.storageOffset(), new long[] {numel}, UNIT_STRIDE, numel);
        }
        int rank = view.shape().rank();
        List<long[]> merged = new ArrayList<>();
        if (numel > 0) {
            for (int i = rank - 1; i >= 0; i--) {
                long d = view.shape().dim(i);
                long s = view.strides().dim(i);
                if (s < 0) {
                    throw new IllegalArgumentException("negative stride " + s + " in " + view.strides());
                }
                if (d == 1) {
                    continue;
                }
                if (!merged.isEmpty()) {
                    long[] inner = merged.get(merged.size() - 1);
                    if (s == Math.multiplyExact(inner[1], inner[0])) {
                        inner[0] = Math.multiplyExact(inner[0], d);
                        continue;
                    }
                }
                merged.add(new long[] {d, s});
            }
        }
        int k = merged.size();
        long[] dims = new long[k];
        long[] strides = new long[k];
        for (int i = 0; i < k; i++) {
            long[] ds = merged.get(k - 1 - i);
            dims[i] = ds[0];
            strides[i] = ds[1];
        }
        return new ViewLayout(view.storageOffset(), dims, strides, numel);
    }

    private static boolean noNegativeStride(TensorView view) {
        for (int i = 0; i < view.strides().rank(); i++) {
            if (view.strides().dim(i) < 0) {
                return false;
            }
        }
        return true;
    }

    int rank() { return dims.length; }

    /** One run of elements back to back (or a single element). */
    boolean contiguous() {
        return numel > 0 && (dims.length == 0 || (dims.length == 1 && strides[0] == 1));
    }

    /** Elements from the first to one past the last element touched by dims {@code from..rank-1}. */
    long span(int from) {
        long s = 1;
        for (int i = from; i < dims.length; i++) {
            s = Math.addExact(s, Math.multiplyExact(dims[i] - 1, strides[i]));
        }
        return s;
    }

    /** Number of elements in dims {@code from..rank-1}. */
    long count(int from) {
        long c = 1;
        for (int i = from; i < dims.length; i++) {
            c = Math.multiplyExact(c, dims[i]);
        }
        return c;
    }
}
