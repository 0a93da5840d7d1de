package org.pthconvert.tensor;

import org.pthconvert.dtype.Dtype;

/**
 * What a writer needs to know about one output tensor before any byte arrives.
 *
 * @param quantization null unless the integer data is quantized (writers may keep or refuse it)
 */
public record TensorSpec(String name, Dtype dtype, Shape shape, Quantization quantization) {

    public TensorSpec(String name, Dtype dtype, Shape shape) {
        this(name, dtype, shape, null);
    }

    public long numel() { return shape.numel(); }

    public long byteLength() { return Math.multiplyExact(shape.numel(), dtype.byteWidth()); }

    public TensorSpec withDtype(Dtype newType) { return new TensorSpec(name, newType, shape, quantization); }

    public TensorSpec withName(String newName) { return new TensorSpec(newName, dtype, shape, quantization); }
}
