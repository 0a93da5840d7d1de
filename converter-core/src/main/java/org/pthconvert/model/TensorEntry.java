package org.pthconvert.model;

import java.util.List;

import org.pthconvert.tensor.TensorView;

/**
 * A tensor found in a checkpoint, with the path of keys, indices and attributes that leads to it
 * from the root object. Tied weights appear once per path, sharing one view.
 *
 * @param path     segments from the root, e.g. {@code [model, fc.weight]} (a key with dots stays one segment)
 * @param view     where the bytes are
 * @param kind     "tensor", "parameter" or "qtensor"
 */
public record TensorEntry(List<String> path, TensorView view, String kind) {
    public TensorEntry {
        path = List.copyOf(path);
    }

    /** The dotted name, as {@code state_dict()} keys and {@code --select all} names are spelled. */
    public String name() {
        return path.size() == 1 ? path.get(0) : String.join(".", path); // a state dict's names: no copy
    }
}
