package org.pthconvert.writers.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.SourceInfo;
import org.pthconvert.writers.onnx.proto.Onnx.GraphProto;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;
import org.pthconvert.writers.onnx.proto.Onnx.OperatorSetIdProto;
import org.pthconvert.writers.onnx.proto.Onnx.StringStringEntryProto;

/** The model and graph messages around the initializers, without them. */
final class ModelShell {

    static final String PRODUCER = "pthconvert";
    static final String GRAPH_NAME = "pthconvert_weights";
    static final String SOURCE_KEY = "pthconvert.source";
    static final String SELECTION_KEY = "pthconvert.selection";

    private ModelShell() {
    }

    /** The lowest IR version that holds every dtype of {@code specs}. */
    static int irVersion(List<TensorSpec> specs) {
        int ir = OnnxTypes.MIN_IR;
        for (TensorSpec s : specs) {
            ir = Math.max(ir, OnnxTypes.minIr(s.dtype()));
        }
        return ir;
    }

    /** A new model for an initializer-only graph. */
    static ModelProto newModel(List<TensorSpec> specs, SourceInfo source, Map<String, String> metadata) {
        int ir = irVersion(specs);
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(ir)
                .setProducerName(PRODUCER)
                .setProducerVersion(producerVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxTypes.opsetFor(ir)));
        addMetadata(m, source, metadata);
        return m.build();
    }

    static GraphProto newGraph() {
        return GraphProto.newBuilder().setName(GRAPH_NAME).build();
    }

    /**
     * Sets the source file, the selection and every pair of {@code metadata} (the conversion's merged
     * with the user's) in {@code metadata_props}, replacing equal keys and keeping the others.
     */
    static void addMetadata(ModelProto.Builder m, SourceInfo source, Map<String, String> metadata) {
        Map<String, String> props = new LinkedHashMap<>();
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            props.put(e.getKey(), e.getValue());
        }
        if (!source.fileName().isEmpty()) {
            props.put(SOURCE_KEY, source.fileName());
        }
        props.put(SELECTION_KEY, source.selection());
        props.putAll(metadata);
        m.clearMetadataProps();
        props.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    }

    static String producerVersion() {
        String v = ModelShell.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
