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

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.io.TensorCast;
import org.pthconvert.io.TensorSource;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.Unreadable;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.tensor.TensorView;

/**
 * One conversion of an opened checkpoint, start to finish: refuse or skip what the format cannot
 * hold, cast, de-duplicate, check the output's size, then stream every tensor into the writer and
 * move the output into place atomically. {@link org.pthconvert.writers.service.ConversionService}
 * wraps it with opening, selection and naming for callers that start from paths.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoint.open(in)) {
 *     Selected sel = NameRules.none().apply(WeightSelector.select(ckpt, new Selection.Auto()));
 *     Conversion.Report r = Conversion.run(ckpt, sel, writers.byName("safetensors"), out, ConversionOptions.defaults());
 * }
 * }</pre>
 */
public final class Conversion {

    /**
     * What happened, for the summary line and {@code --json}.
     *
     * @param tensors     tensors written (tied names count once each)
     * @param bytes       source bytes handed to the writer (tensors, and whole storages a writer keeps)
     * @param nanos       time taken
     * @param notes       one line per rule that fired, cast, dedupe, type change
     * @param skipped     tensors left out, each with its reason
     * @param typeChanges tensors the writer stored in another dtype
     * @param outputs     every file or directory written, the main output last
     */
    public record Report(int tensors, long bytes, long nanos, List<String> notes, List<Skipped> skipped,
                         List<TypeChange> typeChanges, List<Path> outputs) {
        public Report {
            notes = List.copyOf(notes);
            skipped = List.copyOf(skipped);
            typeChanges = List.copyOf(typeChanges);
            outputs = List.copyOf(outputs);
        }
    }

    /** A tensor left out with {@code --skip-unsupported}, and why. */
    public record Skipped(String name, String reason) {
        @Override
        public String toString() {
            return name + " (" + reason + ")";
        }
    }

    /**
     * A tensor as it will be written: its plan entry, its origin, the cast its bytes get (or null) and
     * how many bytes its source gives. The byte source is made when the tensor is written, not held for
     * the whole plan: a checkpoint of 100,000 tensors would keep 100,000 of them (and their layouts) on
     * the heap.
     */
    private record Planned(PlannedTensor tensor, NamedTensor from, Checkpoint ckpt, Dtype castTo, long byteLength) {
        TensorSpec spec() {
            return tensor.spec();
        }

        TensorSource source() {
            TensorView view = from.source().view();
            TensorSource bytes = ckpt.source(view);
            return castTo == null ? bytes : TensorCast.of(bytes, view.dtype(), castTo);
        }
    }

    private Conversion() {
    }

    /** {@link #run(Checkpoint, Selected, TensorWriter, Path, ConversionOptions, SourceInfo)} with the file's name. */
    public static Report run(Checkpoint ckpt, Selected selected, TensorWriter writer, Path out,
                             ConversionOptions opts) throws CheckpointException, IOException {
        Path name = ckpt.file().getFileName();
        return run(ckpt, selected, writer, out, opts,
                new SourceInfo(name == null ? "" : name.toString(), "auto", selected.moduleMetadata()));
    }

    public static Report run(Checkpoint ckpt, Selected selected, TensorWriter writer, Path out,
                             ConversionOptions opts, SourceInfo source) throws CheckpointException, IOException {
        long start = System.nanoTime();
        if (selected.checkpoint() != ckpt) {
            throw new IllegalArgumentException("the selection was made from another checkpoint than "
                    + ckpt.file());
        }
        if (opts.dedupe() && !writer.keepsMetadata()) {
            throw new InvalidRequestException("dedupe records removed=kept names in the output's metadata, "
                    + "which " + writer.name() + " cannot hold; without it the removed names would be lost");
        }
        if (selected.tensors().isEmpty() && selected.unreadable().isEmpty()) {
            throw CheckpointException.of(Reason.INVALID, "the selection is empty after the name rules: nothing to write").inFile(ckpt.file());
        }
        List<String> notes = new ArrayList<>(selected.notes());
        List<Skipped> skipped = new ArrayList<>();
        refuseUnreadable(ckpt, selected.unreadable(), opts, skipped);
        List<Planned> plan = new ArrayList<>(selected.tensors().size());
        int cast = 0;
        for (NamedTensor t : selected.tensors()) {
            Planned p = planned(ckpt, t, opts.castTo());
            plan.add(p);
            if (p.castTo() != null) {
                cast++;
            }
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
            throw CheckpointException.of(Reason.INVALID, "nothing to write: every selected tensor was skipped").inFile(ckpt.file());
        }
        if (!skipped.isEmpty()) {
            List<String> why = new ArrayList<>(skipped.size());
            for (Skipped k : skipped) {
                why.add(k.toString());
            }
            notes.add("skipped " + skipped.size() + ": " + String.join(", ", why));
        }
        // Loops, not streams or lambdas, here and below: no lambda is linked on the start path
        // (README, "Start-up").
        List<TensorSpec> specs = new ArrayList<>(plan.size());
        List<PlannedTensor> tensors = new ArrayList<>(plan.size());
        for (Planned p : plan) {
            specs.add(p.spec());
            tensors.add(p.tensor());
        }
        OutputSize.check(ckpt, specs, out, opts.maxExpand());
        CheckpointStorages storages = storagesOf(ckpt, plan, opts.progress());
        WritePlan writePlan = new WritePlan(tensors, metadata, source, storages);
        return write(plan, writePlan, storages, writer, out, opts, notes, skipped, start);
    }

    /** A method of its own, for the JIT (see {@link #writeOne}). */
    private static CheckpointStorages storagesOf(Checkpoint ckpt, List<Planned> plan, Progress progress) {
        CheckpointStorages storages = new CheckpointStorages(ckpt, progress);
        for (Planned p : plan) {
            storages.add(p.from().source().view().storage());
        }
        return storages;
    }

    private static void refuseUnreadable(Checkpoint ckpt, List<Unreadable> unreadable, ConversionOptions opts,
                                         List<Skipped> skipped) throws CheckpointException {
        for (Unreadable u : unreadable) {
            if (!opts.skipUnsupported()) {
                throw CheckpointException.of(Reason.UNSUPPORTED, u.reason() + SKIP_HINT).inFile(ckpt.file()).forTensor(u.name());
            }
            skipped.add(new Skipped(u.name(), u.reason()));
        }
    }

    /**
     * Marks a refusal that skipping would avoid; the CLI turns it into its flag's name. Library
     * messages name no flag.
     */
    public static final String SKIP_HINT = " (skipping unsupported tensors would leave it out)";

    private static List<Planned> refuseUnsupported(List<Planned> plan, TensorWriter writer, ConversionOptions opts,
                                                   List<Skipped> skipped) throws CheckpointException {
        List<Planned> kept = new ArrayList<>(plan.size());
        for (Planned p : plan) {
            Optional<String> why = writer.refuse(p.spec(), opts.writeOptions());
            if (why.isEmpty()) {
                kept.add(p);
            } else if (opts.skipUnsupported()) {
                skipped.add(new Skipped(p.spec().name(), why.get()));
            } else {
                throw CheckpointException.of(Reason.UNSUPPORTED, why.get() + SKIP_HINT).forTensor(p.spec().name());
            }
        }
        return kept;
    }

    /**
     * Dedupe: where several names read the very same bytes of one storage, keep the sorted-first
     * name among those covering the whole storage (Hugging Face's rule) and record
     * {@code removed: kept} in the metadata. Names that view other parts of the storage are kept:
     * dropping them would lose data.
     */
    private static List<Planned> dedupe(List<Planned> plan, Map<String, String> metadata, List<String> notes) {
        Map<String, List<Planned>> byStorage = new HashMap<>();
        for (Planned p : plan) {
            group(byStorage, p.from().source().view().storage().key()).add(p);
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
        notes.add("dedupe kept one copy of " + removed.size() + " shared tensors");
        List<Planned> out = new ArrayList<>();
        for (Planned p : plan) {
            if (!removed.containsKey(p.spec().name())) {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean sameBytes(Planned a, Planned b) {
        TensorView x = a.from().source().view();
        TensorView y = b.from().source().view();
        return x.storageOffset() == y.storageOffset() && x.shape().equals(y.shape()) && x.strides().equals(y.strides())
                && a.spec().dtype() == b.spec().dtype();
    }

    /** The list under {@code key}, made when missing (computeIfAbsent without its lambda: README, "Start-up"). */
    private static <K, V> List<V> group(Map<K, List<V>> groups, K key) {
        List<V> g = groups.get(key);
        if (g == null) {
            g = new ArrayList<>();
            groups.put(key, g);
        }
        return g;
    }

    private static void describeTypeChanges(List<TypeChange> changes, List<String> notes) {
        Map<String, List<String>> byHow = new LinkedHashMap<>();
        for (TypeChange c : changes) {
            String how = (c.how() == TypeChange.How.WIDENED ? "widened " : "kept as raw bits ") + c.from() + " to "
                    + c.to();
            group(byHow, how).add(c.tensor());
        }
        for (Map.Entry<String, List<String>> e : byHow.entrySet()) {
            List<String> names = e.getValue();
            notes.add(e.getKey() + ": " + (names.size() <= 4 ? String.join(", ", names)
                    : names.size() + " tensors (" + names.get(0) + ", ...)"));
        }
    }

    /**
     * The planned tensors in the session's order, by their plan positions ({@link PlanPositions#find};
     * null: the plan's own order).
     */
    private static List<Planned> inOrder(int[] positions, List<Planned> plan) {
        if (positions == null) {
            return plan;
        }
        List<Planned> out = new ArrayList<>(positions.length);
        for (int at : positions) {
            out.add(plan.get(at));
        }
        return out;
    }

    /**
     * One selected tensor as planned. A method of its own, called once per tensor, so that the JIT
     * compiles it after a few calls (see {@link #writeOne}).
     */
    private static Planned planned(Checkpoint ckpt, NamedTensor t, Dtype castOption) {
        TensorView view = t.source().view();
        TensorSpec spec = new TensorSpec(t.name(), view.dtype(), view.shape(), view.quantization());
        // Refuses a view that is not this checkpoint's before anything is written. Its byte source is
        // made only when it is written (a cast's here too, for the byte count progress announces).
        ckpt.checkOwns(view);
        StorageRef s = view.storage();
        StorageIdentity origin = new StorageIdentity(s.key(), view.storageOffset(), view.strides(), s.dtype(),
                s.byteSize());
        Dtype castTo = null;
        if (castOption != null && view.dtype().isFloatingPoint() && view.dtype() != castOption) {
            castTo = castOption;
            spec = spec.withDtype(castTo);
            origin = null;
        }
        long length = castTo == null ? view.byteLength()
                : TensorCast.of(ckpt.source(view), view.dtype(), castTo).byteLength();
        return new Planned(new PlannedTensor(spec, origin), t, ckpt, castTo, length);
    }

    /**
     * One tensor into the session; returns the bytes handed over. A method of its own, called once per
     * tensor, so that it is compiled after a few calls: the loop around it ran interpreted for all
     * 100,000 tensors of a large checkpoint (measured: the JIT compiled the method while an earlier loop
     * of it ran, and then left this later loop of the same call to the interpreter).
     */
    private static long writeOne(WriteSession session, TensorSpec spec, Planned p, Progress progress)
            throws IOException, CheckpointException {
        TensorSource bytes = p.source();
        try {
            // Counted only for a progress report that is drawn.
            session.write(spec, progress == Progress.NONE ? bytes : new CountingSource(bytes, progress));
        } catch (CheckpointException e) {
            throw e.forTensor(p.from().source().name());
        }
        return bytes.byteLength();
    }

    private static Report write(List<Planned> plan, WritePlan writePlan, CheckpointStorages storages,
                                TensorWriter writer, Path out, ConversionOptions opts, List<String> notes,
                                List<Skipped> skipped, long start) throws IOException, CheckpointException {
        long total = 0;
        WriteOptions wopts = opts.writeOptions();
        AtomicOutput.Kind kind = writer.writesDirectory(wopts) ? AtomicOutput.Kind.DIRECTORY : AtomicOutput.Kind.FILE;
        try (OutputSet target = OutputSet.create(out, kind, opts.force());
             WriteSession session = writer.open(target, wopts)) {
            // refuseUnsupported asked this writer with these options about every planned tensor, and
            // an AbstractWriteSession's begin finds the plan positions of what it asks for. Any other
            // session is checked here the same way.
            List<TensorSpec> order;
            int[] positions;
            if (session instanceof AbstractWriteSession known) {
                order = known.beginRefusalsAsked(writePlan);
                positions = known.planPositions();
            } else {
                order = session.begin(writePlan);
                positions = PlanPositions.find(order, writePlan.specs(), writer.name());
            }
            long wholeStorages = storages.close();   // streamed by the session besides the tensors below
            long planned = wholeStorages;
            List<Planned> inOrder = inOrder(positions, plan);
            for (Planned p : inOrder) {
                planned = Math.addExact(planned, p.byteLength());
            }
            opts.progress().start(planned);
            for (int i = 0; i < order.size(); i++) {
                total = Math.addExact(total, writeOne(session, order.get(i), inOrder.get(i), opts.progress()));
            }
            session.finish();
            total = Math.addExact(total, wholeStorages);
            List<TypeChange> changes = session.typeChanges();
            describeTypeChanges(changes, notes);
            notes.addAll(session.notes());
            target.commit(wopts.sync());
            return new Report(plan.size(), total, System.nanoTime() - start, notes, skipped, changes,
                    target.destinations());
        }
    }
}
