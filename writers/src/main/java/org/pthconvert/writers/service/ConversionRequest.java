package org.pthconvert.writers.service;

import java.nio.file.Path;
import java.util.Objects;

import org.pthconvert.select.NameRules;
import org.pthconvert.select.Selection;
import org.pthconvert.writers.ConversionOptions;

/**
 * One conversion to run.
 *
 * @param input     the checkpoint
 * @param output    the output file (or directory, for writers that write one)
 * @param format    a writer name, or null to choose by {@code output}'s extension
 * @param selection which tensors ({@code auto}, {@code all}, a sub-tree)
 * @param selectionText the selection as the user wrote it, recorded in outputs that keep metadata
 * @param names     name rules, applied after selection
 * @param rootName  the name of a file's only tensor when the file is one bare tensor; null for the
 *                  input's stem
 * @param options   casts, dedupe, skipping, force, expansion limit, the writer's options, progress
 */
public record ConversionRequest(Path input, Path output, String format, Selection selection, String selectionText,
                                NameRules names, String rootName, ConversionOptions options) {

    public ConversionRequest {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        selection = selection == null ? new Selection.Auto() : selection;
        selectionText = selectionText == null ? "auto" : selectionText;
        names = names == null ? NameRules.none() : names;
        options = options == null ? ConversionOptions.defaults() : options;
    }

    /** The model weights of {@code input} under their own names, to {@code output}'s format. */
    public static ConversionRequest of(Path input, Path output) {
        return new ConversionRequest(input, output, null, null, null, null, null, null);
    }

    public ConversionRequest withFormat(String value) {
        return new ConversionRequest(input, output, value, selection, selectionText, names, rootName, options);
    }

    public ConversionRequest withSelection(String text) {
        return new ConversionRequest(input, output, format, Selection.parse(text), text, names, rootName, options);
    }

    public ConversionRequest withNames(NameRules value) {
        return new ConversionRequest(input, output, format, selection, selectionText, value, rootName, options);
    }

    public ConversionRequest withRootName(String value) {
        return new ConversionRequest(input, output, format, selection, selectionText, names, value, options);
    }

    public ConversionRequest withOptions(ConversionOptions value) {
        return new ConversionRequest(input, output, format, selection, selectionText, names, rootName, value);
    }

    public ConversionRequest withOutput(Path value) {
        return new ConversionRequest(input, value, format, selection, selectionText, names, rootName, options);
    }
}
