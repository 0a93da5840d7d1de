package org.pthconvert.writers.onnx;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.ArraySource;
import org.pthconvert.writers.AtomicOutput;
import org.pthconvert.writers.OutputSet;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;
import org.pthconvert.writers.onnx.proto.Onnx.StringStringEntryProto;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

/** Drives a whole ONNX session into a committed output and reads it back with the generated classes. */
final class OnnxOutput {

    private OnnxOutput() {
    }

    /** Writes {@code tensors} (name to bytes, in order) with {@code plan}'s specs and commits. */
    static ModelProto write(Path dest, WritePlan plan, Map<String, byte[]> bytes, WriteOptions opts) throws Exception {
        try (OutputSet out = OutputSet.create(dest, AtomicOutput.Kind.FILE, true)) {
            try (WriteSession s = new OnnxWriter().open(out, opts)) {
                for (TensorSpec spec : s.begin(plan)) {
                    s.write(spec, new ArraySource(bytes.get(spec.name()), 5));
                }
                s.finish();
            }
            out.commit(false);
        }
        return read(dest);
    }

    static ModelProto write(Path dest, List<TensorSpec> specs, Map<String, byte[]> bytes, WriteOptions opts)
            throws Exception {
        return write(dest, WritePlan.of(specs, Map.of()), bytes, opts);
    }

    static ModelProto read(Path file) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(file));
    }

    static Map<String, String> entries(List<StringStringEntryProto> list) {
        Map<String, String> m = new LinkedHashMap<>();
        for (StringStringEntryProto e : list) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** An initializer's bytes, inline or from its external file beside {@code model}. */
    static byte[] data(Path model, TensorProto t) throws Exception {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
            return t.getRawData().toByteArray();
        }
        Map<String, String> ext = entries(t.getExternalDataList());
        Path file = model.resolveSibling(ext.get("location"));
        long offset = Long.parseLong(ext.get("offset"));
        int length = Integer.parseInt(ext.get("length"));
        ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new IllegalStateException("external data ends early: " + t.getName());
                }
            }
        }
        return b.array();
    }
}
