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

    // equals and hashCode written out: a record's generated ones bootstrap method handles on first use,
    // a dozen classes spun at the start of every conversion (the class-data archive cannot keep them).
    @Override
    public boolean equals(Object o) {
        // The same object first: a session's write order holds the plan's own specs, checked once per write.
        return o == this || o instanceof TensorSpec t && t.dtype == dtype && t.name.equals(name) && t.shape.equals(shape)
                && java.util.Objects.equals(t.quantization, quantization);
    }

    @Override
    public int hashCode() { return (name.hashCode() * 31 + dtype.hashCode()) * 31 + shape.hashCode(); }
}
