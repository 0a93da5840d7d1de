package org.pthconvert.select;

import java.util.List;

import org.pthconvert.model.Unreadable;

/**
 * The outcome of selection and naming: the tensors, one line for each default rule that fired
 * ("took the weights under 'model'", "removed the prefix 'module.' shared by every name"), and the
 * tensor-like values inside the selection that have no bytes to convert (named by their path).
 */
public record Selected(List<NamedTensor> tensors, List<String> notes, List<Unreadable> unreadable) {
    public Selected {
        tensors = List.copyOf(tensors);
        notes = List.copyOf(notes);
        unreadable = List.copyOf(unreadable);
    }
}
