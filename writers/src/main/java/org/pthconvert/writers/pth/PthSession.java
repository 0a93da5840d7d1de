package org.pthconvert.writers.pth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.select.ModuleMetadata;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.CallOrder;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.WriterFailures;

/** One {@code .pth} output: plans the records, writes the pickle first, then each tensor's bytes. */
final class PthSession implements WriteSession {

    private final PthWriter writer;
    private final WriteOptions opts;
    private final String folder;
    private final CallOrder calls = new CallOrder("pth");
    private final FileChannel channel;
    private PthOutput output;

    PthSession(PthWriter writer, Path target, String finalName, WriteOptions opts) throws IOException {
        this.writer = writer;
        this.opts = opts;
        this.folder = PthWriter.folderFor(finalName);
        this.channel = OutputFiles.openEmpty(target, false);
    }

    @Override
    public List<TensorSpec> begin(List<TensorSpec> specs, Map<String, String> metadata)
            throws IOException, CheckpointException {
        calls.checkBegin(specs);
        try {
            List<PthLayout.Item> items = new ArrayList<>();
            for (TensorSpec s : specs) {
                Optional<String> reason = writer.refuse(s, opts);
                if (reason.isPresent()) {
                    throw WriterFailures.unsupported(s.name(), reason.get());
                }
                items.add(new PthLayout.Item(s, null));
            }
            PthLayout layout = PthLayout.plan(items);
            output = new PthOutput(channel, folder, layout, ModuleMetadata.empty(), PthWriter.serializationId(opts));
            calls.beginDone(layout.needed());
            return layout.needed();
        } catch (IOException | CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    @Override
    public void write(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        calls.checkWrite(spec, bytes);
        try {
            output.write(spec, bytes);
            opts.progress().accept(spec.byteLength());
            calls.writeDone();
        } catch (IOException | CheckpointException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    @Override
    public void finish() throws IOException, CheckpointException {
        calls.checkFinish();
        try {
            output.finish();
            channel.close();
            calls.finishDone();
        } catch (IOException | RuntimeException e) {
            calls.fail();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        if (calls.close()) {
            channel.close();
        }
    }
}
