package org.pthconvert.writers.pth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.AbstractWriteSession;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.PlannedTensor;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriteOptions;

/**
 * One {@code .pth} output: plans the records (tied weights once), writes the pickle first, then
 * each record's bytes as they arrive.
 */
final class PthSession extends AbstractWriteSession {

    private final String folder;
    private final FileChannel channel;
    private PthOutput output;

    PthSession(PthWriter writer, Path target, String finalName, WriteOptions opts)
            throws IOException {
        super(writer, opts);
        this.folder = PthWriter.folderFor(finalName);
        this.channel = OutputFiles.openEmpty(target, true);   // read back for CRCs
    }

    @Override
    protected List<TensorSpec> onBegin(WritePlan plan) throws IOException, CheckpointException {
        boolean keep = options().extraFlag(PthWriter.KEEP_STORAGES);
        for (PlannedTensor t : plan.tensors()) {
            if (keep && t.origin() == null) {
                // Casting whole storages would also cast bytes no selected tensor views; refusing is plainer.
                throw new InvalidRequestException("--keep-storages writes the source's storages as they are, "
                        + "so it cannot be combined with a cast (tensor '" + CheckpointException.shown(t.spec().name())
                        + "' would be cast to "
                        + t.spec().dtype() + ")");
            }
        }
        PthLayout layout = PthLayout.plan(plan.tensors(), keep);
        Map<String, TensorSource> whole = new HashMap<>();
        for (StoredRecord r : layout.records()) {
            if (r.content() instanceof StoredRecord.WholeStorage w) {
                whole.put(r.key(), plan.storages().whole(w.origin(), r.dtype()));
            }
        }
        if (!layout.unkept().isEmpty()) {
            List<String> names = layout.unkept();
            note("written compactly, their storages' types do not fit them: " + (names.size() <= 4
                    ? String.join(", ", names) : names.size() + " tensors (" + names.get(0) + ", ...)"));
        }
        output = new PthOutput(channel, folder, layout, plan.source().moduleMetadata(),
                PthWriter.serializationId(options()), whole);
        return layout.needed();
    }

    @Override
    protected void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        output.write(spec, bytes);
    }

    @Override
    protected void onFinish() throws IOException, CheckpointException {
        output.finish();
        channel.close();
    }

    @Override
    protected void onClose(boolean aborted) throws IOException {
        if (output != null) {
            output.close();
        }
        channel.close();
    }
}
