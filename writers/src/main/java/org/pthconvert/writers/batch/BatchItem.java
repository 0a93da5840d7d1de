package org.pthconvert.writers.batch;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One input of a plan and where it goes.
 *
 * @param input    the checkpoint
 * @param output   its output (a file, or a folder for sharded outputs), inside the output root
 * @param size     the input's size in bytes, for scheduling and progress
 * @param upToDate the output exists and is newer than the input: nothing to do
 */
public record BatchItem(BatchInput input, Path output, long size, boolean upToDate) {
    public BatchItem {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
    }

    public Path file() {
        return input.file();
    }
}
