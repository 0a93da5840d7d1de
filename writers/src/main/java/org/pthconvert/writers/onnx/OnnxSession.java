package org.pthconvert.writers.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.CodedOutputStream;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.AbstractWriteSession;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriterFailures;
import org.pthconvert.writers.onnx.proto.Onnx.GraphProto;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;

/**
 * Writes one model as {@link InitializerLayout} planned it: the prefix at begin, then each
 * initializer in graph order; {@code --into}'s kept initializers are written as the checkpoint's
 * tensors around them arrive. Tensor bytes go file to file ({@link TensorSource#transferTo}).
 */
final class OnnxSession extends AbstractWriteSession {

    private final OutputTarget target;
    private final WriteOptions opts;
    private InitializerLayout layout;
    private FileChannel model;
    private FileChannel sidecar;
    private int next;

    OnnxSession(OnnxWriter writer, OutputTarget target, WriteOptions opts) {
        super(writer, opts);
        this.target = target;
        this.opts = opts;
    }

    @Override
    protected List<TensorSpec> onBegin(WritePlan plan) throws IOException, CheckpointException {
        String location = opts.extra(OnnxWriter.DATA_FILE, target.finalName() + ".data");
        if (OnnxWriter.checkDataFileName(location).isPresent() || location.equals(target.finalName())) {
            throw new IllegalArgumentException(OnnxWriter.checkDataFileName(location)
                    .orElse("--external-data-file must differ from the output's own name"));
        }
        List<TensorSpec> specs = plan.specs();
        long bytes = 0;
        for (TensorSpec s : specs) {
            bytes = Math.addExact(bytes, s.byteLength());
        }
        boolean external = opts.extraFlag(OnnxWriter.EXTERNAL)
                || bytes > opts.extraSize(OnnxWriter.THRESHOLD, OnnxWriter.DEFAULT_THRESHOLD);
        ModelProto shell;
        GraphProto graph;
        List<Draft> drafts = new ArrayList<>();
        String into = opts.extra(OnnxWriter.INTO, null);
        if (into == null) {
            shell = ModelShell.newModel(specs, plan.source(), metadata(plan));
            graph = ModelShell.newGraph();
            for (TensorSpec s : specs) {
                drafts.add(new Draft.Fresh(s, null));
            }
        } else {
            IntoGraph.Match m = IntoGraph.read(Path.of(into)).match(plan, metadata(plan), opts.extraFlag(OnnxWriter.STRICT));
            if (!m.unusedTensors().isEmpty() || !m.keptInitializers().isEmpty()) {
                // The session has no output stream of its own; stderr is where the CLI's warnings go.
                System.err.println("pthconvert: --into " + into + ": "
                        + IntoGraph.unmatched(m.unusedTensors(), m.keptInitializers()));
            }
            shell = m.model();
            graph = m.graph();
            drafts.addAll(m.drafts());
            external |= m.hasExternal();
        }
        layout = InitializerLayout.plan(shell, graph, drafts, external, location);
        model = OutputFiles.openEmpty(target.main(), false);
        if (layout.sidecarLength() > 0) {
            sidecar = OutputFiles.openEmpty(target.sidecar(location), false);
        }
        Framing.writeFully(model, layout.prefix());
        return layout.freshOrder();
    }

    @Override
    protected void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        List<Entry> entries = layout.entries();
        while (!(entries.get(next) instanceof Entry.Fresh)) {
            writeKept(entries.get(next++));
        }
        Entry.Fresh f = (Entry.Fresh) entries.get(next++);
        if (!f.spec().equals(spec)) {
            throw new IllegalStateException("onnx session expected '" + f.spec().name() + "', got '" + spec.name() + "'");
        }
        Framing.writeFully(model, Framing.header(Framing.GRAPH_INITIALIZER, InitializerLayout.entrySize(f)));
        Framing.writeFully(model, f.proto().toByteArray());
        long n = spec.byteLength();
        FileChannel out = model;
        if (f.sidecarOffset() < 0) {
            Framing.writeFully(model, Framing.header(Framing.TENSOR_RAW_DATA, n));
        } else {
            out = sidecar;
            out.position(f.sidecarOffset());
        }
        long start = out.position();
        bytes.transferTo(out);
        if (out.position() - start != n) {
            throw WriterFailures.invalid(spec.name(), "source gave " + (out.position() - start)
                    + " bytes, expected " + n);
        }
    }

    /** An initializer of the {@code --into} graph: its message as it was, its external data copied. */
    private void writeKept(Entry e) throws IOException {
        Framing.writeFully(model, Framing.header(Framing.GRAPH_INITIALIZER, InitializerLayout.entrySize(e)));
        // Streams aliased raw_data from the mapped input through a small buffer, not a heap copy.
        OutputStream os = Channels.newOutputStream(model);
        CodedOutputStream c = CodedOutputStream.newInstance(os, 64 * 1024);
        e.proto().writeTo(c);
        c.flush();
        if (e instanceof Entry.Moved m) {
            try (FileChannel in = FileChannel.open(m.file(), StandardOpenOption.READ)) {
                long done = 0;
                while (done < m.length()) {
                    long k = in.transferTo(m.fileOffset() + done, m.length() - done,
                            sidecar.position(m.sidecarOffset() + done));
                    if (k <= 0) {
                        throw new IOException(m.file() + " ended while copying the external data of '"
                                + m.proto().getName() + "'");
                    }
                    done += k;
                }
            }
        }
    }

    @Override
    protected void onFinish() throws IOException, CheckpointException {
        List<Entry> entries = layout.entries();
        while (next < entries.size()) {
            writeKept(entries.get(next++));
        }
        if (model.position() != layout.modelLength() || model.size() != layout.modelLength()) {
            throw new IllegalStateException("onnx model is " + model.position() + " bytes, planned "
                    + layout.modelLength());
        }
        if (sidecar != null && sidecar.size() != layout.sidecarLength()) {
            throw new IllegalStateException("onnx external data is " + sidecar.size() + " bytes, planned "
                    + layout.sidecarLength());
        }
        if (opts.sync()) {
            model.force(true);
            if (sidecar != null) {
                sidecar.force(true);
            }
        }
        closeChannels();
    }

    @Override
    protected void onClose(boolean aborted) throws IOException {
        closeChannels();
    }

    private void closeChannels() throws IOException {
        try (FileChannel a = model; FileChannel b = sidecar) {
            model = null;
            sidecar = null;
        }
    }
}
