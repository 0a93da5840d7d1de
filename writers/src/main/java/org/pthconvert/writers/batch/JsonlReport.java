package org.pthconvert.writers.batch;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.Failure;

/**
 * A batch report: one JSON object a line per input, written and flushed as each finishes, so an
 * interrupted batch still leaves a readable report of what it did. Fields: {@code input},
 * {@code output}, {@code status} ({@code ok}, {@code skipped}, {@code failed}), {@code error} (the
 * one-line reason, or null), {@code tensors}, {@code bytes}, {@code seconds}, {@code selection},
 * {@code rules} (the default rules and notes that fired), {@code skipped} (tensors left out),
 * {@code warnings}; counts are null when nothing was converted.
 */
public final class JsonlReport implements BatchRunner.Listener, Closeable {

    private final Writer out;
    private final String selection;
    private final Function<Failure, String> wording;

    /**
     * @param out       where the lines go (closed with this report)
     * @param selection the selection as the user gave it ({@code auto})
     * @param wording   how a failure reads ({@link Failure#plain} without a command line)
     */
    public JsonlReport(Writer out, String selection, Function<Failure, String> wording) {
        this.out = out;
        this.selection = selection;
        this.wording = wording;
    }

    @Override
    public void finished(BatchOutcome o) {
        try {
            out.write(line(o, selection, wording));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the batch report: " + e.getMessage(), e);
        }
    }

    /** One outcome as a JSON object on one line. */
    public static String line(BatchOutcome o, String selection, Function<Failure, String> wording) {
        StringBuilder sb = new StringBuilder(256).append('{');
        field(sb, "input", str(o.item().file().toString())).append(',');
        field(sb, "output", str(o.item().output().toString())).append(',');
        field(sb, "status", str(o.status().label())).append(',');
        field(sb, "error", o.failure() == null ? "null" : str(wording.apply(o.failure()))).append(',');
        ConversionResult r = o.result();
        field(sb, "tensors", r == null ? "null" : Integer.toString(r.tensors())).append(',');
        field(sb, "bytes", r == null ? "null" : Long.toString(r.bytes())).append(',');
        field(sb, "seconds", String.format(Locale.ROOT, "%.3f", o.seconds())).append(',');
        field(sb, "selection", str(selection)).append(',');
        field(sb, "rules", r == null ? "[]" : array(r.notes())).append(',');
        field(sb, "skipped", r == null ? "[]" : array(r.skipped().stream().map(Object::toString).toList())).append(',');
        field(sb, "warnings", r == null ? "[]" : array(r.warnings()));
        return sb.append('}').toString();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static StringBuilder field(StringBuilder sb, String name, String json) {
        return sb.append(str(name)).append(':').append(json);
    }

    private static String array(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(str(items.get(i)));
        }
        return sb.append(']').toString();
    }

    /** A JSON string: quotes, backslashes and control characters escaped; lone surrogates as \\u escapes. */
    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)));
                    if (c < 0x20 || lone) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                        if (Character.isHighSurrogate(c)) {
                            sb.append(s.charAt(++i));
                        }
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
