package org.pthconvert.writers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.pthconvert.dtype.TensorCast;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.TensorSource;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.Unreadable;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.tensor.TensorView;

/**
 * One conversion, start to finish: refuse or skip what the format cannot hold, cast, de-duplicate,
 * then stream every tensor into the writer and move the output into place atomically.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoint.open(in)) {
 *     Selected sel = NameRules.none().apply(WeightSelector.select(ckpt, new Selection.Auto()));
 *     Conversion.Report r = Conversion.run(ckpt, sel, Writers.byName("safetensors"), out, ConversionOptions.defaults());
 * }
 * }</pre>
 */
public final class Conversion {

    /** What happened, for the summary line and {@code --json}. */
    public record Report(int tensors, long bytes, long nanos, List<String> notes, List<String> skipped) {
        public Report {
            notes = List.copyOf(notes);
            skipped = List.copyOf(skipped);
        }
    }

    /** A tensor as it will be written: its spec, where its bytes come from, and its storage. */
    private record Planned(TensorSpec spec, TensorSource source, NamedTensor from) {
    }

    private Conversion() {
    }

    public static Report run(Checkpoint ckpt, Selected selected, TensorWriter writer, Path out,
                             ConversionOptions opts) throws CheckpointException, IOException {
        long start = System.nanoTime();
        if (opts.dedupe() && !writer.keepsMetadata()) {
            throw new IllegalArgumentException("--dedupe records removed=kept names in the output's metadata, which "
                    + writer.name() + " cannot hold; without it the removed names would be lost");
        }
        List<String> notes = new ArrayList<>(selected.notes());
        List<String> skipped = new ArrayList<>();
        refuseUnreadable(ckpt, selected.unreadable(), opts, skipped);
        List<Planned> plan = new ArrayList<>();
        int cast = 0;
        for (NamedTensor t : selected.tensors()) {
            TensorView view = t.source().view();
            TensorSpec spec = new TensorSpec(t.name(), view.dtype(), view.shape(), view.quantization());
            TensorSource source = ckpt.source(view);
            if (opts.castTo() != null && view.dtype().isFloatingPoint() && view.dtype() != opts.castTo()) {
                source = TensorCast.of(source, view.dtype(), opts.castTo());
                spec = spec.withDtype(opts.castTo());
                cast++;
            }
            plan.add(new Planned(spec, source, t));
        }
        if (cast > 0) {
            notes.add("cast " + cast + " floating tensors to " + opts.castTo());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (opts.dedupe()) {
            plan = dedupe(plan, metadata, notes);
        }
        plan = refuseUnsupported(plan, writer, opts, skipped);
        if (plan.isEmpty()) {
            throw new CheckpointException(Reason.INVALID, ckpt.file(), null, -1, null,
                    "nothing to write: every selected tensor was skipped", null);
        }
        if (!skipped.isEmpty()) {
            notes.add("skipped " + skipped.size() + ": " + String.join(", ", skipped));
        }
        long bytes = write(plan, writer, out, metadata, opts, notes);
        return new Report(plan.size(), bytes, System.nanoTime() - start, notes, skipped);
    }

    private static void refuseUnreadable(Checkpoint ckpt, List<Unreadable> unreadable, ConversionOptions opts,
                                         List<String> skipped) throws CheckpointException {
        for (Unreadable u : unreadable) {
            if (!opts.skipUnsupported()) {
                throw new CheckpointException(Reason.UNSUPPORTED, ckpt.file(), null, -1, u.name(),
                        u.reason() + " (--skip-unsupported skips it)", null);
            }
            skipped.add(u.name() + " (" + u.reason() + ")");
        }
    }

    private static List<Planned> refuseUnsupported(List<Planned> plan, TensorWriter writer, ConversionOptions opts,
                                                   List<String> skipped) throws CheckpointException {
        List<Planned> kept = new ArrayList<>(plan.size());
        for (Planned p : plan) {
            Optional<String> why = writer.refuse(p.spec(), opts.writeOptions());
            if (why.isEmpty()) {
                kept.add(p);
            } else if (opts.skipUnsupported()) {
                skipped.add(p.spec().name() + " (" + why.get() + ")");
            } else {
                throw new CheckpointException(Reason.UNSUPPORTED, null, null, -1, p.spec().name(),
                        why.get() + " (--skip-unsupported skips it)", null);
            }
        }
        return kept;
    }

    /**
     * {@code --dedupe}: where several names read the very same bytes of one storage, keep the
     * sorted-first name among those covering the whole storage (Hugging Face's rule) and record
     * {@code removed: kept} in the metadata. Names that view other parts of the storage are kept:
     * dropping them would lose data.
     */
    private static List<Planned> dedupe(List<Planned> plan, Map<String, String> metadata, List<String> notes) {
        Map<String, List<Planned>> byStorage = new HashMap<>();
        for (Planned p : plan) {
            byStorage.computeIfAbsent(p.from().source().view().storage().key(), k -> new ArrayList<>()).add(p);
        }
        Map<String, String> removed = new TreeMap<>();
        for (List<Planned> group : byStorage.values()) {
            if (group.size() < 2) {
                continue;
            }
            Planned keep = null;
            for (Planned p : group) {
                TensorView v = p.from().source().view();
                boolean whole = v.storageOffset() == 0 && v.isContiguous()
                        && v.byteLength() == v.storage().byteSize();
                if (whole && (keep == null || p.spec().name().compareTo(keep.spec().name()) < 0)) {
                    keep = p;
                }
            }
            if (keep == null) {
                continue;
            }
            for (Planned p : group) {
                if (p != keep && sameBytes(p, keep)) {
                    removed.put(p.spec().name(), keep.spec().name());
                }
            }
        }
        if (removed.isEmpty()) {
            return plan;
        }
        metadata.putAll(removed);
        notes.add("--dedupe kept one copy of " + removed.size() + " shared tensors");
        List<Planned> out = new ArrayList<>();
        for (Planned p : plan) {
            if (!removed.containsKey(p.spec().name())) {
                out.add(p);
            }
        }
        return out;
    }

    private static void describeTypeChanges(List<TypeChange> changes, List<String> notes) {
        Map<String, List<String>> byHow = new LinkedHashMap<>();
        for (TypeChange c : changes) {
            String how = (c.how() == TypeChange.How.WIDENED ? "widened " : "kept as raw bits ") + c.from() + " to "
                    + c.to();
            byHow.computeIfAbsent(how, k -> new ArrayList<>()).add(c.tensor());
        }
        byHow.forEach((how, names) -> notes.add(how + ": " + (names.size() <= 4 ? String.join(", ", names)
                : names.size() + " tensors (" + names.get(0) + ", ...)")));
    }

    private static boolean sameBytes(Planned a, Planned b) {
        TensorView x = a.from().source().view();
        TensorView y = b.from().source().view();
        return x.storageOffset() == y.storageOffset() && x.shape().equals(y.shape()) && x.strides().equals(y.strides())
                && a.spec().dtype() == b.spec().dtype();
    }

    private static long write(List<Planned> plan, TensorWriter writer, Path out, Map<String, String> metadata,
                              ConversionOptions opts, List<String> notes) throws IOException, CheckpointException {
        Map<String, Planned> byName = new HashMap<>();
        List<TensorSpec> specs = new ArrayList<>(plan.size());
        for (Planned p : plan) {
            byName.put(p.spec().name(), p);
            specs.add(p.spec());
        }
        long total = 0;
        WriteOptions wopts = opts.writeOptions().withMetadata(opts.metadata());
        AtomicOutput.Kind kind = writer.writesDirectory(wopts) ? AtomicOutput.Kind.DIRECTORY : AtomicOutput.Kind.FILE;
        try (AtomicOutput target = AtomicOutput.create(out, kind, opts.force());
             WriteSession session = writer.open(target.temp(), wopts)) {
            for (TensorSpec spec : session.begin(specs, metadata)) {
                Planned p = byName.get(spec.name());
                try {
                    session.write(spec, p.source());
                } catch (CheckpointException e) {
                    throw e.forTensor(p.from().source().name());
                }
                total += spec.byteLength();
            }
            session.finish();
            describeTypeChanges(session.typeChanges(), notes);
            target.commit(wopts.sync());
        }
        return total;
    }
}
