package org.pthconvert.writers.batch;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One checkpoint a batch will consider.
 *
 * @param file     the file to read
 * @param relative its name under the output root, {@code /}-separated: the path below the input folder
 *                 it was found in, or the file name for a file named directly
 * @param origin   the argument it came from (a file, a folder, {@code @list.txt}), for messages
 */
public record BatchInput(Path file, String relative, String origin) {
    public BatchInput {
        Objects.requireNonNull(file, "file");
        OutputNames.segments(relative);
        Objects.requireNonNull(origin, "origin");
    }
}
