package org.pthconvert.select;

import org.pthconvert.model.TensorEntry;

/**
 * A selected tensor under its output name.
 *
 * @param name   the name writers will use
 * @param source the tensor in the checkpoint (its original path stays available for messages)
 */
public record NamedTensor(String name, TensorEntry source) {
    public NamedTensor withName(String newName) {
        return new NamedTensor(newName, source);
    }
}
