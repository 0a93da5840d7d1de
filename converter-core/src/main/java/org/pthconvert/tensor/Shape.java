package org.pthconvert.tensor;

import java.util.Arrays;

/**
 * An immutable list of non-negative dimensions (or strides). Copies its array in and out so a
 * record holding it keeps value semantics.
 */
public final class Shape {
    public static final Shape SCALAR = new Shape(new long[0]);

    private final long[] dims;
    /** The product (asked for many times per tensor by planning and writing), unless it overflows. */
    private final long numel;
    private final boolean overflows;

    private Shape(long[] dims) {
        this.dims = dims;
        long n = 1;
        boolean over = false;
        try {
            for (long d : dims) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            over = true;
        }
        this.numel = n;
        this.overflows = over;
    }

    public static Shape of(long... dims) {
        return new Shape(dims.clone());
    }

    public int rank() { return dims.length; }

    public long dim(int i) { return dims[i]; }

    public long[] toArray() { return dims.clone(); }

    /** Whether the dimensions are exactly {@code d} (without copying them out). */
    public boolean hasDims(long[] d) { return Arrays.equals(dims, d); }

    /** Product of the dimensions, or {@link ArithmeticException} past {@code Long.MAX_VALUE}. */
    public long numel() {
        if (overflows) {
            throw new ArithmeticException("the product of " + this + " overflows a long");
        }
        return numel;
    }

    /** Strides of a C-contiguous tensor of this shape, in elements. */
    public Shape contiguousStrides() {
        long[] s = new long[dims.length];
        long step = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = step;
            step = Math.multiplyExact(step, Math.max(dims[i], 1));
        }
        return new Shape(s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(dims); }

    /** Python's spelling: {@code [3, 4]}, {@code []} for a scalar. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(dims[i]);
        }
        return sb.append(']').toString();
    }
}
