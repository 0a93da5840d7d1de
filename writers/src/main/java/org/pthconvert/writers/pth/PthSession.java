package org.pthconvert.writers.pth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
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
        this.channel = OutputFiles.openEmpty(target, false);
    }

    @Override
    protected List<TensorSpec> onBegin(WritePlan plan) throws IOException, CheckpointException {
        List<PthLayout.Item> items = new ArrayList<>();
        for (PlannedTensor t : plan.tensors()) {
            items.add(new PthLayout.Item(t.spec(), t.origin()));
        }
        PthLayout layout = PthLayout.plan(items, options().extraFlag(PthWriter.KEEP_STORAGES));
        output = new PthOutput(channel, folder, layout, plan.source().moduleMetadata(),
                PthWriter.serializationId(options()));
        return layout.needed();
    }

    @Override
    protected void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        output.write(spec, bytes);
    }

    @Override
    protected void onFinish() throws IOException {
        output.finish();
        channel.close();
    }

    @Override
    protected void onClose(boolean aborted) throws IOException {
        channel.close();
    }
}
