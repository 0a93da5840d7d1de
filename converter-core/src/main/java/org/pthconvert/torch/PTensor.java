package org.pthconvert.torch;

import org.pthconvert.pickle.PickleValue.PHookValue;
import org.pthconvert.tensor.TensorView;

/**
 * A tensor rebuilt (on paper) by one of torch's rebuild functions. {@code kind} says which rebuild
 * made it ("tensor", "parameter", "qtensor"). Identity-equal, like the pickle containers: two
 * rebuild calls on one storage are two tensors (tied weights), even when their views are equal.
 */
public final class PTensor implements PHookValue {
    private final TensorView view;
    private final String kind;
    private final boolean requiresGrad;

    public PTensor(TensorView view, String kind, boolean requiresGrad) {
        this.view = view;
        this.kind = kind;
        this.requiresGrad = requiresGrad;
    }

    public TensorView view() { return view; }

    public String kind() { return kind; }

    public boolean requiresGrad() { return requiresGrad; }

    public PTensor as(String newKind, boolean grad) { return new PTensor(view, newKind, grad); }

    @Override
    public String typeName() { return "parameter".equals(kind) ? "Parameter" : "Tensor"; }

    @Override
    public String toString() { return "tensor(" + view.dtype() + ", " + view.shape() + ")"; }
}
