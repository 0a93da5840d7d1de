package org.pthconvert.writers;

import java.util.Objects;

import org.pthconvert.select.ModuleMetadata;

/**
 * What a writer may record about where the tensors came from.
 *
 * @param fileName       the input's file (or folder) name, without directories
 * @param selection      the selection as the user gave it: {@code auto}, {@code all} or a path
 * @param moduleMetadata the source state dict's {@code _metadata} (module versions), renamed by the
 *                       name rules; empty when it had none
 */
public record SourceInfo(String fileName, String selection, ModuleMetadata moduleMetadata) {

    public SourceInfo {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(selection, "selection");
        moduleMetadata = moduleMetadata == null ? ModuleMetadata.EMPTY : moduleMetadata;
    }

    /** For tests and callers without a checkpoint. */
    public static SourceInfo unknown() {
        return new SourceInfo("", "auto", ModuleMetadata.EMPTY);
    }
}
