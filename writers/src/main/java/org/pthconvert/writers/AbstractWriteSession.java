package org.pthconvert.writers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;

/**
 * The part every session shares: the call order of {@link WriteSession}, the refusal of tensors the
 * writer's {@link TensorWriter#refuse} rejects (so a caller that skipped that check still cannot
 * write them), the check that {@code onBegin} asked only for planned tensors, and abort on close.
 * A format implements the four {@code on*} steps.
 */
public abstract class AbstractWriteSession implements WriteSession {

    private final TensorWriter writer;
    private final WriteOptions options;
    private final CallOrder calls;
    private final List<TypeChange> changes = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int[] planPositions;

    protected AbstractWriteSession(TensorWriter writer, WriteOptions options) {
        this.writer = writer;
        this.options = options;
        this.calls = new CallOrder(writer.name());
    }

    protected final WriteOptions options() {
        return options;
    }

    /**
     * Every tensor first; returns the specs whose bytes the session wants, in the order it wants
     * them. It may leave out tensors whose bytes it does not need (a tied weight stored once).
     */
    protected abstract List<TensorSpec> onBegin(WritePlan plan) throws IOException, CheckpointException;

    /** One tensor's bytes: C-contiguous, little-endian, {@code spec.byteLength()} of them. */
    protected abstract void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException;

    protected abstract void onFinish() throws IOException, CheckpointException;

    /** Releases resources; {@code aborted} when {@code finish} did not succeed. Called once. */
    protected abstract void onClose(boolean aborted) throws IOException;

    /**
     * The string metadata to store: the plan's pairs (what the conversion made, such as dedupe's
     * {@code removed: kept}), then the user's {@link WriteOptions#metadata()}, which win on equal keys.
     */
    protected final Map<String, String> metadata(WritePlan plan) {
        Map<String, String> m = new LinkedHashMap<>(plan.metadata());
        m.putAll(options.metadata());
        return m;
    }

    /** Records one line for the conversion's summary. */
    protected final void note(String line) {
        notes.add(line);
    }

    @Override
    public final List<String> notes() {
        return List.copyOf(notes);
    }

    /** Records a tensor stored in another dtype, for the summary. */
    protected final void typeChanged(TypeChange change) {
        changes.add(change);
    }

    @Override
    public final List<TensorSpec> begin(WritePlan plan) throws IOException, CheckpointException {
        return begin(plan, true);
    }

    /**
     * {@link #begin} for {@link Conversion}, which has already asked this session's writer, with the
     * options it opened the session with, to refuse each planned tensor: a second pass over 100,000
     * tensors would find nothing.
     */
    final List<TensorSpec> beginRefusalsAsked(WritePlan plan) throws IOException, CheckpointException {
        return begin(plan, false);
    }

    private List<TensorSpec> begin(WritePlan plan, boolean askRefusals) throws IOException, CheckpointException {
        calls.checkBegin();
        try {
            List<TensorSpec> specs = plan.specs();   // names unique: a WritePlan refuses repeated ones
            if (askRefusals) {
                refuseAny(specs);
            }
            List<TensorSpec> order = List.copyOf(onBegin(plan));
            // The plan's specs themselves in the plan's order need no check (its names are unique);
            // otherwise the positions are found after onBegin, their map not held through it: planning
            // is where a writer's heap peaks (100,000 tensors' layout beside their plan).
            planPositions = PlanPositions.find(order, specs, writer.name());
            calls.beginDone(order);
            return order;
        } catch (IOException | CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    private void refuseAny(List<TensorSpec> specs) throws CheckpointException {
        for (TensorSpec s : specs) {
            Optional<String> why = writer.refuse(s, options);
            if (why.isPresent()) {
                throw WriterFailures.unsupported(s.name(), why.get());
            }
        }
    }

    /**
     * The plan index of each tensor {@link #begin} returned, or null when it returned the plan's own
     * specs in the plan's order. For {@link Conversion}, which finds each tensor's source by it.
     */
    final int[] planPositions() {
        return planPositions;
    }

    @Override
    public final void write(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        calls.checkWrite(spec, bytes);
        try {
            onWrite(spec, bytes);
            calls.writeDone();
        } catch (IOException | CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    @Override
    public final void finish() throws IOException, CheckpointException {
        calls.checkFinish();
        try {
            onFinish();
            calls.finishDone();
        } catch (IOException | CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    @Override
    public final List<TypeChange> typeChanges() {
        return List.copyOf(changes);
    }

    @Override
    public final void close() throws IOException {
        boolean wasOpen = !calls.closed();
        boolean aborted = calls.close();
        if (wasOpen) {
            onClose(aborted);
        }
    }
}
