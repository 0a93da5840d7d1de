package org.pthconvert.tensor;

import org.pthconvert.dtype.Dtype;

/**
 * A tensor as the pickle describes it: a strided view into a storage. Offsets and strides count
 * elements of {@code dtype}, as torch's rebuild functions do.
 *
 * @param quantization null unless the tensor is quantized
 */
public record TensorView(StorageRef storage, Dtype dtype, long storageOffset, Shape shape, Shape strides,
                         Quantization quantization) {

    public TensorView {
        if (shape.rank() != strides.rank()) {
            throw new IllegalArgumentException("shape " + shape + " and stride " + strides + " differ in rank");
        }
    }

    public long numel() { return shape.numel(); }

    public long byteLength() { return Math.multiplyExact(numel(), dtype.byteWidth()); }

    /** True when the elements lie in C order, back to back, so the bytes can be copied as one run. */
    public boolean isContiguous() {
        if (numel() <= 1) {
            return true;
        }
        long expected = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            long d = shape.dim(i);
            if (d != 1 && strides.dim(i) != expected) {
                return false;
            }
            expected = Math.multiplyExact(expected, d);
        }
        return true;
    }

    /**
     * One past the highest element index the view touches, relative to the storage start; 0 for an
     * empty view. Throws {@link ArithmeticException} on overflow.
     */
    public long endElement() {
        if (numel() == 0) {
            return 0;
        }
        long last = storageOffset;
        for (int i = 0; i < shape.rank(); i++) {
            last = Math.addExact(last, Math.multiplyExact(shape.dim(i) - 1, strides.dim(i)));
        }
        return Math.addExact(last, 1);
    }
}
