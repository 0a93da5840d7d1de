package org.pthconvert.writers.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.writers.Conversion;
import org.pthconvert.writers.SourceInfo;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.Writers;

/**
 * Runs a {@link ConversionRequest}: opens the checkpoint (validating it whole, running nothing),
 * selects and names its tensors, converts them and reports. Thread-safe: one service may run many
 * conversions at once ({@code batch --jobs}); each holds only its own checkpoint's directory and
 * bounded buffers.
 */
public final class ConversionService {

    private final Writers writers;

    public ConversionService(Writers writers) {
        this.writers = writers;
    }

    /**
     * With the built-in writers ({@link Writers#standard}); with plug-ins too:
     * {@code new ConversionService(Writers.load(loader))}.
     */
    public static ConversionService standard() {
        return new ConversionService(Writers.standard());
    }

    public Writers writers() {
        return writers;
    }

    /** The writer a request names, or the one its output's extension calls for. */
    public TensorWriter writerFor(ConversionRequest request) {
        return request.format() != null ? writers.byName(request.format()) : writers.forPath(request.output());
    }

    /**
     * @throws CheckpointException      for input that is broken, hostile, unsupported or over a limit,
     *                                  saying where
     * @throws InvalidRequestException  for a request that cannot be honoured as asked
     * @throws IOException              when the file system fails (missing input, output exists)
     */
    public ConversionResult convert(ConversionRequest request) throws CheckpointException, IOException {
        long start = System.nanoTime();
        TensorWriter writer = check(request);
        try (Checkpoint ckpt = Checkpoint.open(request.input())) {
            return run(request, writer, ckpt, start);
        } catch (CheckpointException e) {
            throw e.inFile(request.input());
        }
    }

    /**
     * Refuses a request that cannot be honoured whatever the input holds (the writer's options do not
     * go together, the output is the input), before anything is read; returns the request's writer.
     *
     * @throws InvalidRequestException for such a request
     * @throws IOException             when the file system fails comparing the output with the input
     */
    public TensorWriter check(ConversionRequest request) throws IOException {
        TensorWriter writer = writerWithOptions(request);
        if (Files.exists(request.output()) && Files.exists(request.input())
                && Files.isSameFile(request.output(), request.input())) {
            throw new InvalidRequestException("the output " + request.output() + " is the input itself");
        }
        return writer;
    }

    /**
     * Converts a checkpoint the caller has already opened (read in place from a file system that is not
     * local, e.g. {@link Checkpoint#open(java.nio.channels.SeekableByteChannel, Path)}); {@code
     * request.input()} names it in errors and outputs. The caller closes {@code ckpt}; the time taken
     * to open it is not in the result's seconds.
     */
    public ConversionResult convert(ConversionRequest request, Checkpoint ckpt) throws CheckpointException, IOException {
        long start = System.nanoTime();
        TensorWriter writer = writerWithOptions(request);
        try {
            return run(request, writer, ckpt, start);
        } catch (CheckpointException e) {
            throw e.inFile(request.input());
        }
    }

    /** The request's writer, once its options are known to go together ({@link InvalidRequestException} if not). */
    private TensorWriter writerWithOptions(ConversionRequest request) {
        TensorWriter writer = writerFor(request);
        Optional<String> why = writer.checkOptions(request.options().writeOptions());
        if (why.isPresent()) { // not ifPresent(lambda): README, "Start-up"
            throw new InvalidRequestException(writer.name() + ": " + why.get());
        }
        return writer;
    }

    private ConversionResult run(ConversionRequest request, TensorWriter writer, Checkpoint ckpt, long start)
            throws CheckpointException, IOException {
        String root = request.rootName() != null ? request.rootName() : WeightSelector.defaultRootName(ckpt);
        Selected selected = request.names().apply(WeightSelector.select(ckpt, request.selection(), root));
        Path name = request.input().getFileName();
        SourceInfo source = new SourceInfo(name == null ? "" : name.toString(), request.selectionText(),
                selected.moduleMetadata());
        Conversion.Report r = Conversion.run(ckpt, selected, writer, request.output(), request.options(), source);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new ConversionResult(request.input(), request.output(), writer.name(), r.tensors(), r.bytes(),
                storedBytes(ckpt), seconds, r.skipped(), r.typeChanges(), r.notes(),
                ckpt.warnings(), dropped(ckpt, selected), r.outputs());
    }

    private static long storedBytes(Checkpoint ckpt) {
        long total = 0;
        for (StorageRef s : ckpt.storages().values()) {
            total = Math.addExact(total, s.byteSize());
        }
        return total;
    }

    /**
     * Top-level keys of tensors not in {@code kept}: in a flat state dict every tensor is one, so only
     * those not kept are collected. A method of its own, for the JIT (see {@code Conversion.writeOne}).
     */
    private static Set<String> notKept(List<TensorEntry> tensors, Set<String> kept) {
        Set<String> out = new LinkedHashSet<>();
        for (TensorEntry t : tensors) {
            if (!t.path().isEmpty() && !kept.contains(t.path().get(0))) {
                out.add(t.path().get(0));
            }
        }
        return out;
    }

    /** Top-level keys of the file that hold no selected tensor ({@code optimizer}, {@code iteration}). */
    private static List<String> dropped(Checkpoint ckpt, Selected selected) {
        List<String> fast = droppedWhenAllSelected(ckpt, selected);
        if (fast != null) {
            return fast;
        }
        Set<String> kept = new HashSet<>(selected.tensors().size() * 4 / 3 + 1);
        for (var t : selected.tensors()) {
            if (!t.source().path().isEmpty()) {
                kept.add(t.source().path().get(0));
            }
        }
        Set<String> out = notKept(ckpt.tensors(), kept);
        for (String k : ckpt.topLevelKeys()) {
            if (!kept.contains(k)) {
                out.add(k);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * {@link #dropped} without a set of every kept key, for the common case: every tensor selected,
     * in the checkpoint's order, under a root dict of str keys. The walk lists a top-level key's
     * tensors together and in key order, so one pass over both finds the keys that hold none. Null
     * when the case does not apply (the caller then uses sets).
     */
    private static List<String> droppedWhenAllSelected(Checkpoint ckpt, Selected selected) {
        List<TensorEntry> tensors = ckpt.tensors();
        List<NamedTensor> chosen = selected.tensors();
        if (chosen.size() != tensors.size() || !(ckpt.root() instanceof PickleValue.PDict root)) {
            return null;
        }
        for (int i = 0; i < tensors.size(); i++) {
            if (chosen.get(i).source() != tensors.get(i) || tensors.get(i).path().isEmpty()) {
                return null;
            }
        }
        List<String> out = new ArrayList<>();
        int t = 0;
        for (Map.Entry<PickleValue, PickleValue> e : root.entries()) {
            if (!(e.getKey() instanceof PickleValue.PStr key)) {
                return null; // keys of other types may be spelled alike: the sets sort them out
            }
            boolean holds = false;
            while (t < tensors.size() && tensors.get(t).path().get(0).equals(key.value())) {
                holds = true;
                t++;
            }
            if (!holds) {
                out.add(key.value());
            }
        }
        return t == tensors.size() ? out : null;
    }
}
