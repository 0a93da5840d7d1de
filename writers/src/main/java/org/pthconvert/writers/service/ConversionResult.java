package org.pthconvert.writers.service;

import java.nio.file.Path;
import java.util.List;

import org.pthconvert.writers.Conversion;
import org.pthconvert.writers.TypeChange;

/**
 * What one conversion did, for summaries, {@code --json} and batch reports.
 *
 * @param input       the checkpoint
 * @param output      the main output
 * @param format      the writer's name
 * @param tensors     tensors written
 * @param bytes       tensor bytes handed to the writer
 * @param sourceBytes bytes of every tensor the file holds (selected or not), for "N x smaller"
 * @param seconds     wall time of the whole conversion, opening included
 * @param skipped     tensors left out, with reasons
 * @param typeChanges tensors stored in another dtype
 * @param notes       one line per default rule that fired, cast, dedupe, type change
 * @param warnings    problems that did not stop the conversion (bytes after a legacy file's end)
 * @param dropped     top-level entries of the file not in the selection, for {@code strip}'s summary
 * @param outputs     every file or directory written, the main output last
 */
public record ConversionResult(Path input, Path output, String format, int tensors, long bytes, long sourceBytes,
                               double seconds, List<Conversion.Skipped> skipped, List<TypeChange> typeChanges,
                               List<String> notes, List<String> warnings, List<String> dropped, List<Path> outputs) {
    public ConversionResult {
        skipped = List.copyOf(skipped);
        typeChanges = List.copyOf(typeChanges);
        notes = List.copyOf(notes);
        warnings = List.copyOf(warnings);
        dropped = List.copyOf(dropped);
        outputs = List.copyOf(outputs);
    }
}
