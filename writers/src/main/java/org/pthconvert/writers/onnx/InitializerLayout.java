package org.pthconvert.writers.onnx;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.WriterFailures;
import org.pthconvert.writers.onnx.proto.Onnx.GraphProto;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;
import org.pthconvert.writers.onnx.proto.Onnx.StringStringEntryProto;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

/**
 * Where every byte of the output goes, decided from the specs before any data: each initializer's
 * message, its place in the external-data sidecar (4096-aligned, as onnx's own external-data
 * writer aligns), and the lengths of the graph and model messages that frame them. The model file
 * is then {@link #prefix()} followed by each entry framed as a graph initializer, in order.
 */
final class InitializerLayout {

    /** Sidecar offsets are multiples of this, so that a reader can map each tensor page-aligned. */
    static final long ALIGN = 4096;

    private final byte[] prefix;
    private final List<Entry> entries;
    private final long modelLength;
    private final long sidecarLength;

    private InitializerLayout(byte[] prefix, List<Entry> entries, long modelLength, long sidecarLength) {
        this.prefix = prefix;
        this.entries = List.copyOf(entries);
        this.modelLength = modelLength;
        this.sidecarLength = sidecarLength;
    }

    /**
     * @param model    the model without its graph
     * @param graph    the graph without initializers
     * @param drafts   the initializers in graph order
     * @param external checkpoint tensors go to the sidecar (empty ones stay inline: onnx reads an
     *                 external tensor of length 0 as "to the end of the file")
     * @param location the sidecar's file name, as external_data records it
     * @throws CheckpointException LIMIT when the model message would pass protobuf's 2 GiB
     */
    static InitializerLayout plan(ModelProto model, GraphProto graph, List<Draft> drafts, boolean external,
                                  String location) throws CheckpointException {
        if (model.hasGraph() || graph.getInitializerCount() > 0) {
            throw new IllegalArgumentException("model and graph must come without graph and initializers");
        }
        List<Entry> entries = new ArrayList<>(drafts.size());
        long sidecar = 0;
        long graphLength = graph.getSerializedSize();
        for (Draft d : drafts) {
            Entry e;
            if (d instanceof Draft.Fresh f) {
                long n = f.spec().byteLength();
                boolean out = external && n > 0;
                long offset = out ? align(sidecar) : -1;
                e = new Entry.Fresh(f.spec(), freshProto(f, out ? location : null, offset), offset);
                sidecar = out ? Math.addExact(offset, n) : sidecar;
            } else if (d instanceof Draft.External x) {
                long offset = align(sidecar);
                e = new Entry.Moved(pointAt(x.proto().toBuilder(), location, offset, x.length()).build(),
                        x.file(), x.offset(), x.length(), offset);
                sidecar = Math.addExact(offset, x.length());
            } else {
                e = new Entry.Kept(((Draft.Kept) d).proto());
            }
            entries.add(e);
            graphLength = Math.addExact(graphLength, Framing.fieldSize(Framing.GRAPH_INITIALIZER, entrySize(e)));
        }
        long modelLength = Math.addExact(model.getSerializedSize(), Framing.fieldSize(Framing.MODEL_GRAPH, graphLength));
        if (modelLength > Framing.MAX_MESSAGE) {
            throw WriterFailures.limit(null, "the ONNX model would be " + modelLength
                    + " bytes, over protobuf's 2 GiB limit: use --external-data (or a lower --external-data-threshold)");
        }
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(model.toByteArray());
        p.writeBytes(Framing.header(Framing.MODEL_GRAPH, graphLength));
        p.writeBytes(graph.toByteArray());
        return new InitializerLayout(p.toByteArray(), entries, modelLength, sidecar);
    }

    static long align(long offset) {
        long rest = offset % ALIGN;
        return rest == 0 ? offset : Math.addExact(offset, ALIGN - rest);
    }

    /** The initializer's message without its data (inline: framed later) or pointing at the sidecar. */
    private static TensorProto freshProto(Draft.Fresh f, String location, long offset) {
        TensorSpec s = f.spec();
        TensorProto.Builder b = f.template() == null ? TensorProto.newBuilder() : f.template().toBuilder();
        b.clearRawData().clearFloatData().clearInt32Data().clearStringData().clearInt64Data()
                .clearDoubleData().clearUint64Data().clearExternalData().clearDataLocation().clearDims();
        b.setName(s.name()).setDataType(OnnxTypes.code(s.dtype()).orElseThrow());
        for (long dim : s.shape().toArray()) {
            b.addDims(dim);
        }
        if (location != null) {
            pointAt(b, location, offset, s.byteLength());
        }
        return b.build();
    }

    private static TensorProto.Builder pointAt(TensorProto.Builder b, String location, long offset, long length) {
        return b.clearExternalData()
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length)))
                .setDataLocation(TensorProto.DataLocation.EXTERNAL);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** Bytes of the initializer message, raw_data framing included. */
    static long entrySize(Entry e) {
        long size = e.proto().getSerializedSize();
        if (e instanceof Entry.Fresh f && f.sidecarOffset() < 0) {
            size = Math.addExact(size, Framing.fieldSize(Framing.TENSOR_RAW_DATA, f.spec().byteLength()));
        }
        return size;
    }

    /** The model's fields, the graph field's header and the graph's own fields. */
    byte[] prefix() {
        return prefix.clone();
    }

    List<Entry> entries() {
        return entries;
    }

    /** The checkpoint tensors, in the order their bytes are written. */
    List<TensorSpec> freshOrder() {
        List<TensorSpec> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e instanceof Entry.Fresh f) {
                out.add(f.spec());
            }
        }
        return out;
    }

    long modelLength() {
        return modelLength;
    }

    /** Bytes of the sidecar; 0 when nothing goes there (then no sidecar is written). */
    long sidecarLength() {
        return sidecarLength;
    }
}
