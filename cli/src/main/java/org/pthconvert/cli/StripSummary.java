package org.pthconvert.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;

/**
 * What {@code strip} kept and dropped: the tensors written and the top-level key they came from, each
 * other top-level key with the tensor bytes under it, and how much smaller the output is than the
 * input. {@code "kept 161 tensors (97.8 MiB) under 'model'; dropped optimizer (195.6 MiB), scheduler,
 * iteration; 3.0x smaller"}.
 *
 * @param under   the top-level key the kept tensors came from, or null (the root, or several keys)
 * @param dropped top-level keys not written, with the bytes of the tensors under each (0 for none)
 */
record StripSummary(int tensors, long keptBytes, String under, Map<String, Long> dropped, long inputBytes,
                    long outputBytes) {

    static StripSummary of(Checkpoint ckpt, Selected selected, int written, long inputBytes, long outputBytes) {
        String under = commonTop(selected.tensors());
        long kept = 0;
        for (NamedTensor t : selected.tensors()) {
            kept = Math.addExact(kept, t.source().view().byteLength());
        }
        Map<String, Long> dropped = new LinkedHashMap<>();
        if (under != null && ckpt.root() instanceof PDict root) {
            for (Map.Entry<PickleValue, PickleValue> e : root.entries()) {
                String key = e.getKey() instanceof PickleValue.PStr s ? s.value() : String.valueOf(e.getKey());
                if (!key.equals(under)) {
                    dropped.put(key, 0L);
                }
            }
            for (TensorEntry t : ckpt.tensors()) {
                dropped.computeIfPresent(t.path().get(0), (k, v) -> Math.addExact(v, t.view().byteLength()));
            }
        }
        return new StripSummary(written, kept, under, dropped, inputBytes, outputBytes);
    }

    /** The first path segment every kept tensor shares, when each sits below it. */
    private static String commonTop(List<NamedTensor> tensors) {
        String top = null;
        for (NamedTensor t : tensors) {
            List<String> path = t.source().path();
            if (path.size() < 2 || top != null && !top.equals(path.get(0))) {
                return null;
            }
            top = path.get(0);
        }
        return top;
    }

    double ratio() {
        return outputBytes == 0 ? 0 : (double) inputBytes / outputBytes;
    }

    String line() {
        StringBuilder b = new StringBuilder();
        b.append("kept ").append(tensors).append(tensors == 1 ? " tensor (" : " tensors (")
                .append(Sizes.human(keptBytes)).append(')');
        if (under != null) {
            b.append(" under '").append(under).append('\'');
        }
        if (!dropped.isEmpty()) {
            List<String> parts = new ArrayList<>();
            dropped.forEach((k, v) -> parts.add(v > 0 ? k + " (" + Sizes.human(v) + ")" : k));
            b.append("; dropped ").append(String.join(", ", parts));
        }
        b.append(String.format(Locale.ROOT, "; %.1fx smaller", ratio()));
        return b.toString();
    }

    void json(Json j) {
        j.field("tensors", tensors).field("kept_bytes", keptBytes);
        j.name("under");
        if (under == null) {
            j.raw("null");
        } else {
            j.string(under);
        }
        j.name("dropped").beginArray();
        dropped.forEach((k, v) -> j.beginObject().field("key", k).field("tensor_bytes", v).endObject());
        j.endArray();
        j.field("input_bytes", inputBytes).field("output_bytes", outputBytes);
        j.name("ratio").number(ratio());
    }
}
