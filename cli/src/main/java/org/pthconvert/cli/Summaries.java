package org.pthconvert.cli;

import java.io.PrintWriter;

import org.pthconvert.cli.format.Decimals;
import org.pthconvert.cli.format.Json;
import org.pthconvert.cli.format.Sizes;
import org.pthconvert.writers.Conversion;
import org.pthconvert.writers.service.ConversionResult;

/** The summary of one conversion: a line on stderr, or one JSON document on stdout. */
final class Summaries {

    private Summaries() {
    }

    static void print(PrintWriter out, PrintWriter err, ConversionResult r, boolean quiet, boolean json) {
        if (json) {
            out.println(json(r));
            out.flush();
        }
        if (quiet || json) {
            return;
        }
        err.println(line(r));
        warnings(err, r);
        err.flush();
    }

    /**
     * The input's warnings, a line each after the summary (what inspect prints as "Note:"): things the
     * output holds as torch.load gives them but a user may not expect.
     */
    static void warnings(PrintWriter err, ConversionResult r) {
        for (String w : r.warnings()) {
            err.println("warning: " + w);
        }
    }

    static Json json(ConversionResult r) {
        Json j = new Json().beginObject().field("input", r.input().toString()).field("output", r.output().toString())
                .field("format", r.format()).field("tensors", r.tensors()).field("bytes", r.bytes());
        j.name("seconds").number(r.seconds());
        j.name("notes").beginArray();
        // Loops, not forEach(lambda): README, "Start-up".
        for (String note : r.notes()) {
            j.string(note);
        }
        j.endArray().name("skipped").beginArray();
        for (Object s : r.skipped()) {
            j.string(s.toString());
        }
        j.endArray().name("warnings").beginArray();
        for (String w : r.warnings()) {
            j.string(w);
        }
        j.endArray().name("outputs").beginArray();
        for (Object p : r.outputs()) {
            j.string(p.toString());
        }
        j.endArray().endObject();
        return j;
    }

    static String line(ConversionResult r) {
        double secs = r.seconds();
        String line = r.input() + " -> " + r.output() + ": " + r.tensors() + " tensors, " + Sizes.human(r.bytes())
                + " in " + Decimals.fixed(secs, 2) + " s (" + Sizes.human((long) (r.bytes() / Math.max(secs, 1e-9))) + "/s)";
        if (!r.notes().isEmpty()) {
            line += "; " + String.join("; ", r.notes()).replace(Conversion.SKIP_HINT, " (--skip-unsupported skips it)");
        }
        return line;
    }
}
