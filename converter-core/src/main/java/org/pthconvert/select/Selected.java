package org.pthconvert.select;

import java.util.List;
import java.util.Objects;

import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.Unreadable;

/**
 * The outcome of selection and naming, bound to the checkpoint it was made from: the tensors, one
 * line for each default rule that fired ("took the weights under 'model'", "removed the prefix
 * 'module.' shared by every name"), the tensor-like values inside the selection that have no bytes
 * to convert (named by their path), and the state dict's module metadata under the same renaming.
 */
public record Selected(Checkpoint checkpoint, List<NamedTensor> tensors, List<String> notes,
                       List<Unreadable> unreadable, ModuleMetadata moduleMetadata) {
    public Selected {
        Objects.requireNonNull(checkpoint, "checkpoint");
        tensors = List.copyOf(tensors);
        notes = List.copyOf(notes);
        unreadable = List.copyOf(unreadable);
        moduleMetadata = moduleMetadata == null ? ModuleMetadata.EMPTY : moduleMetadata;
    }
}
