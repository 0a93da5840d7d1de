package org.pthconvert.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.cli.format.Decimals;
import org.pthconvert.cli.format.Json;
import org.pthconvert.cli.format.Sizes;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.torch.PTensor;
import org.pthconvert.writers.service.ConversionResult;

/**
 * What {@code strip} kept and dropped: {@code "kept 161 tensors (97.8 MiB) under 'model'; dropped
 * optimizer (195.6 MiB), scheduler, iteration; 3.0x smaller"}, the ratio being the input file's size
 * over the output's.
 *
 * @param under   the top-level key the kept tensors came from, or null (the root itself)
 * @param dropped top-level keys left out, each with the bytes of the tensors under it (0: none)
 */
record StripSummary(ConversionResult result, String under, Map<String, Long> dropped, long inputBytes,
                    long outputBytes) {

    /** Sizes what was dropped from the tree of {@code ckpt}, the checkpoint {@code r} was converted from. */
    static StripSummary of(ConversionResult r, Checkpoint ckpt, long inputBytes, long outputBytes) {
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (String k : r.dropped()) { // loops, not lambdas, here and below: README, "Start-up"
            dropped.put(k, 0L);
        }
        String under = null;
        if (!dropped.isEmpty()) {   // a state dict stripped whole drops nothing: no pass over its tensors
            for (TensorEntry t : ckpt.tensors()) {
                if (!t.path().isEmpty()) {
                    Long v = dropped.get(t.path().get(0));
                    if (v != null) {
                        dropped.put(t.path().get(0), Math.addExact(v, t.view().byteLength()));
                    }
                }
            }
        }
        List<String> kept = new ArrayList<>(ckpt.topLevelKeys());
        kept.removeAll(r.dropped());
        if (kept.size() == 1 && ckpt.root() instanceof PickleValue.PDict root
                && !(root.get(kept.get(0)) instanceof PTensor)) {
            under = kept.get(0);
        }
        return new StripSummary(r, under, dropped, inputBytes, outputBytes);
    }

    double ratio() {
        return outputBytes == 0 ? 0 : (double) inputBytes / outputBytes;
    }

    /**
     * "3.0x smaller"; a state dict that had nothing to drop comes out about as large as it went in
     * (sometimes a little larger: records are aligned to 64 bytes), and "1.0x smaller" would say
     * otherwise.
     */
    private String sizeChange() {
        double r = ratio();
        if (r >= 1.05) {
            return Decimals.fixed(r, 1) + "x smaller";
        }
        String sizes = " (" + Sizes.human(inputBytes) + " -> " + Sizes.human(outputBytes) + ")";
        return (r >= 0.95 ? "about the input's size" : "larger than the input") + sizes;
    }

    String line() {
        StringBuilder b = new StringBuilder();
        b.append(result.input()).append(" -> ").append(result.output()).append(": kept ").append(result.tensors())
                .append(result.tensors() == 1 ? " tensor (" : " tensors (").append(Sizes.human(result.bytes()))
                .append(')');
        if (under != null) {
            b.append(" under '").append(under).append('\'');
        }
        if (!dropped.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Long> e : dropped.entrySet()) {
                long v = e.getValue();
                parts.add(v > 0 ? e.getKey() + " (" + Sizes.human(v) + ")" : e.getKey());
            }
            b.append("; dropped ").append(String.join(", ", parts));
        }
        b.append("; ").append(sizeChange());
        for (String note : result.notes()) {
            if (!note.startsWith("took the weights under")) {   // said above
                b.append("; ").append(note);
            }
        }
        return b.toString();
    }

    /** The conversion's JSON summary with strip's fields added before it closes. */
    String json(Json conversion) {
        String base = conversion.toString();
        Json j = new Json().beginObject();
        j.name("under");
        if (under == null) {
            j.raw("null");
        } else {
            j.string(under);
        }
        j.name("dropped").beginArray();
        for (Map.Entry<String, Long> e : dropped.entrySet()) {
            j.beginObject().field("key", e.getKey()).field("tensor_bytes", e.getValue()).endObject();
        }
        j.endArray();
        j.field("input_bytes", inputBytes).field("output_bytes", outputBytes);
        j.name("ratio").number(ratio());
        j.endObject();
        String extra = j.toString();
        return base.substring(0, base.length() - 1) + "," + extra.substring(1);
    }
}
