package org.pthconvert.writers.hdf5;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorCast;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.AbstractWriteSession;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.TypeChange;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriterFailures;

/**
 * Writes one HDF5 file: the metadata is planned at {@code begin} (its bytes reserved after the
 * superblock), tensor data streams after it in the caller's order, and {@code finish} writes the
 * headers, heaps and superblock into the reserved bytes.
 */
final class Hdf5Session extends AbstractWriteSession {

    private final FileChannel channel;
    private final boolean flat;
    private Hdf5Layout layout;
    private long cursor;
    private int unplaced;

    Hdf5Session(Hdf5Writer writer, Path target, WriteOptions opts) throws IOException {
        super(writer, opts);
        this.flat = opts.extraFlag(Hdf5Writer.FLAT);
        this.channel = OutputFiles.openEmpty(target, false);
    }

    @Override
    protected List<TensorSpec> onBegin(WritePlan plan) throws IOException, CheckpointException {
        List<TensorSpec> specs = plan.specs();
        Map<String, Hdf5Layout.Dataset> datasets = new LinkedHashMap<>();
        for (TensorSpec s : specs) {
            Hdf5Types.Stored stored = Hdf5Types.storage(s.dtype(), options().rawBits()).orElseThrow();
            if (stored.change() != null) {
                typeChanged(new TypeChange(s.name(), s.dtype(), stored.dtype(), stored.change()));
            }
            long size = Math.multiplyExact(s.numel(), stored.dtype().byteWidth());
            datasets.put(s.name(), new Hdf5Layout.Dataset(s, stored, storage(s, stored, size)));
        }
        Map<String, String> aliases = aliases(plan, datasets.keySet());
        Set<String> names = new HashSet<>(datasets.keySet());
        names.addAll(aliases.keySet());
        for (String alias : aliases.keySet()) {
            if (Hdf5Names.refuse(alias).isPresent()) {
                throw WriterFailures.unsupported(alias, Hdf5Names.refuse(alias).get());
            }
        }
        Hdf5Names.Placement placement = Hdf5Names.place(names, flat);
        unplaced = placement.unplaced();
        if (unplaced > 0) {
            note(unplaced + (unplaced == 1 ? " name" : " names") + " could not be an HDF5 path; placed under /"
                    + placement.group() + " and found by the 'name' attribute");
        }
        if (!aliases.isEmpty()) {
            note(aliases.size() + (aliases.size() == 1 ? " tied name is" : " tied names are")
                    + " an HDF5 hard link to the dataset kept");
        }
        layout = new Hdf5Layout(datasets, placement.paths(), aliases, rootAttributes(plan));
        cursor = layout.dataStart();
        return specs;
    }

    private DataStorage storage(TensorSpec s, Hdf5Types.Stored stored, long size) {
        return options().compress()
                ? GzipChunkedStorage.of(s.shape().toArray(), stored.dtype().byteWidth(), size)
                : new ContiguousStorage(size);
    }

    /**
     * {@code --dedupe} leaves a tied weight's other names out of the plan and records them as
     * {@code removed: kept} pairs in the plan's own metadata (the user's pairs are in the options):
     * each becomes a hard link to the dataset kept.
     */
    private static Map<String, String> aliases(WritePlan plan, Set<String> written) {
        Map<String, String> out = new LinkedHashMap<>();
        plan.metadata().forEach((k, v) -> {
            if (!written.contains(k) && written.contains(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Where the tensors came from, then the conversion's pairs, then the user's (last wins). */
    private Map<String, String> rootAttributes(WritePlan plan) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("source", plan.source().fileName());
        attrs.put("selection", plan.source().selection());
        attrs.put("pthconvert_version", version());
        attrs.putAll(metadata(plan));
        return attrs;
    }

    static String version() {
        String v = Hdf5Writer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** How many names could not be paths and went to the extra group. */
    int unplaced() {
        return unplaced;
    }

    @Override
    protected void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        Hdf5Layout.Dataset d = layout.dataset(spec.name());
        TensorSource data = d.stored.change() == TypeChange.How.WIDENED
                ? TensorCast.of(bytes, spec.dtype(), d.stored.dtype())
                : bytes;   // same dtype, or raw bits: the bytes are already right
        cursor = d.storage.write(channel, cursor, data, spec.name());
    }

    @Override
    protected void onFinish() throws IOException, CheckpointException {
        layout.writeMetadata(channel, cursor);
        if (options().sync()) {
            channel.force(true);
        }
        channel.close();
    }

    @Override
    protected void onClose(boolean aborted) throws IOException {
        channel.close();
    }
}
