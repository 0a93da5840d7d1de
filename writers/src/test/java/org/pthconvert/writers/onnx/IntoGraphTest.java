package org.pthconvert.writers.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.Fixtures;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;
import org.pthconvert.writers.onnx.proto.Onnx.StringStringEntryProto;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

/** {@code --into} on the graphs torch.onnx.export made in testdata/onnx (see testdata/generate.py). */
class IntoGraphTest {

    @TempDir
    Path dir;

    private static Path graph(String name) {
        return org.pthconvert.testdata.Fixtures.root().resolveSibling("onnx").resolve(name);
    }

    /** Every initializer of {@code model} as a spec, except {@code leaveOut}, with fresh pattern bytes. */
    private static Map<TensorSpec, byte[]> newWeights(ModelProto model, String leaveOut) {
        Map<TensorSpec, byte[]> m = new LinkedHashMap<>();
        int seed = 50;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (!t.getName().equals(leaveOut)) {
                assertEquals(1, t.getDataType(), t.getName());
                Shape shape = Shape.of(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
                m.put(new TensorSpec(t.getName(), Dtype.F32, shape), Fixtures.pattern(Dtype.F32, shape, seed++));
            }
        }
        return m;
    }

    private static ModelProto write(Path dest, Map<TensorSpec, byte[]> tensors, WriteOptions opts) throws Exception {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        tensors.forEach((s, b) -> bytes.put(s.name(), b));
        return OnnxOutput.write(dest, new ArrayList<>(tensors.keySet()), bytes, opts);
    }

    private static WriteOptions into(Path graph) {
        return WriteOptions.DEFAULTS.withExtra(OnnxWriter.INTO, graph.toString());
    }

    @Test
    void replacesMatchingInitializersAndKeepsEverythingElse() throws Exception {
        Path in = graph("mlp.onnx");
        ModelProto before = OnnxOutput.read(in);
        Map<TensorSpec, byte[]> weights = newWeights(before, "norm.bias");
        weights.put(new TensorSpec("not.in.graph", Dtype.F32, Shape.of(2)), new byte[8]);
        Path out = dir.resolve("new.onnx");
        ModelProto after = write(out, weights, into(in));

        assertEquals(before.getIrVersion(), after.getIrVersion());
        assertEquals(before.getOpsetImportList(), after.getOpsetImportList());
        assertEquals(before.getProducerName(), after.getProducerName());
        assertEquals(before.getGraph().getNodeList(), after.getGraph().getNodeList());
        assertEquals(before.getGraph().getInputList(), after.getGraph().getInputList());
        assertEquals(before.getGraph().getOutputList(), after.getGraph().getOutputList());
        assertEquals(before.getGraph().getName(), after.getGraph().getName());
        assertEquals(before.getGraph().getInitializerCount(), after.getGraph().getInitializerCount());
        for (int i = 0; i < before.getGraph().getInitializerCount(); i++) {
            TensorProto b = before.getGraph().getInitializer(i);
            TensorProto a = after.getGraph().getInitializer(i);
            assertEquals(b.getName(), a.getName(), "graph order kept");
            assertEquals(b.getDimsList(), a.getDimsList());
            byte[] expected = b.getName().equals("norm.bias") ? b.getRawData().toByteArray()
                    : weights.get(new TensorSpec(b.getName(), Dtype.F32,
                            Shape.of(b.getDimsList().stream().mapToLong(Long::longValue).toArray())));
            assertArrayEquals(expected, OnnxOutput.data(out, a), b.getName());
        }
        assertFalse(Files.exists(dir.resolve("new.onnx.data")));
        assertTrue(after.getMetadataPropsList().stream().map(StringStringEntryProto::getKey)
                .anyMatch("pthconvert.selection"::equals));
    }

    @Test
    void strictRefusesUnmatchedNamesOnBothSides() throws Exception {
        Path in = graph("mlp.onnx");
        Map<TensorSpec, byte[]> weights = newWeights(OnnxOutput.read(in), "norm.bias");
        weights.put(new TensorSpec("onnx::MatMul_123", Dtype.F32, Shape.of(2)), new byte[8]);
        Path out = dir.resolve("strict.onnx");
        CheckpointException e = assertThrows(CheckpointException.class, () ->
                write(out, weights, into(in).withExtra(OnnxWriter.STRICT, "true")));
        assertTrue(e.getMessage().contains("norm.bias") && e.getMessage().contains("onnx::MatMul_123"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void mismatchedDimsOrTypesAreAllNamedAndNothingIsWritten() throws Exception {
        Path in = graph("mlp.onnx");
        Map<TensorSpec, byte[]> weights = new LinkedHashMap<>();
        weights.put(new TensorSpec("fc1.weight", Dtype.F32, Shape.of(4, 8)), new byte[128]);
        weights.put(new TensorSpec("fc1.bias", Dtype.F16, Shape.of(8)), new byte[16]);
        weights.put(new TensorSpec("fc2.bias", Dtype.F32, Shape.of(3)), new byte[12]);
        Path out = dir.resolve("bad.onnx");
        CheckpointException e = assertThrows(CheckpointException.class, () -> write(out, weights, into(in)));
        assertTrue(e.getMessage().contains("'fc1.weight' is float32 [8, 4] in the graph, float32 [4, 8]"), e.getMessage());
        assertTrue(e.getMessage().contains("'fc1.bias' is float32 [8] in the graph, float16 [8]"), e.getMessage());
        assertFalse(e.getMessage().contains("fc2.bias"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void externalDataOfTheInputGraphIsCopiedAndRewritten() throws Exception {
        Path in = graph("mlp_external.onnx");
        ModelProto before = OnnxOutput.read(in);
        ModelProto inline = OnnxOutput.read(graph("mlp.onnx"));
        Map<TensorSpec, byte[]> weights = newWeights(before, "fc2.weight");
        Path out = dir.resolve("ext.onnx");
        ModelProto after = write(out, weights, into(in));
        assertEquals(before.getGraph().getNodeList(), after.getGraph().getNodeList());
        long end = 0;
        for (int i = 0; i < after.getGraph().getInitializerCount(); i++) {
            TensorProto a = after.getGraph().getInitializer(i);
            assertEquals(TensorProto.DataLocation.EXTERNAL, a.getDataLocation(), a.getName());
            Map<String, String> ext = OnnxOutput.entries(a.getExternalDataList());
            assertEquals("ext.onnx.data", ext.get("location"));
            long offset = Long.parseLong(ext.get("offset"));
            assertEquals(0, offset % 4096);
            assertTrue(offset >= end);
            end = offset + Long.parseLong(ext.get("length"));
            byte[] expected = a.getName().equals("fc2.weight")
                    ? inline.getGraph().getInitializer(i).getRawData().toByteArray()
                    : weights.get(new TensorSpec(a.getName(), Dtype.F32,
                            Shape.of(a.getDimsList().stream().mapToLong(Long::longValue).toArray())));
            assertArrayEquals(expected, OnnxOutput.data(out, a), a.getName());
        }
        assertEquals(end, Files.size(dir.resolve("ext.onnx.data")));
    }

    @Test
    void externalLocationsOutsideTheFolderAreRefused() throws Exception {
        ModelProto m = OnnxOutput.read(graph("mlp_external.onnx"));
        ModelProto.Builder b = m.toBuilder();
        TensorProto.Builder t = b.getGraphBuilder().getInitializerBuilder(0);
        for (int i = 0; i < t.getExternalDataCount(); i++) {
            if (t.getExternalData(i).getKey().equals("location")) {
                t.setExternalData(i, t.getExternalData(i).toBuilder().setValue("../../etc/passwd"));
            }
        }
        Path hostile = dir.resolve("hostile.onnx");
        Files.write(hostile, b.build().toByteArray());
        Map<TensorSpec, byte[]> none = Map.of(new TensorSpec("zzz", Dtype.F32, Shape.of(1)), new byte[4]);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> write(dir.resolve("o.onnx"), none, into(hostile)));
        assertTrue(e.getMessage().contains("leaves the model's folder"), e.getMessage());
    }

    @Test
    void notAnOnnxFileIsOneClearError() throws Exception {
        Path junk = dir.resolve("junk.onnx");
        Files.write(junk, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2});
        Map<TensorSpec, byte[]> one = Map.of(new TensorSpec("a", Dtype.F32, Shape.of(1)), new byte[4]);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> write(dir.resolve("o.onnx"), one, into(junk)));
        assertTrue(e.getMessage().contains("junk.onnx") && e.getMessage().contains("not an ONNX model"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("o.onnx")));
    }

    @Test
    void inlineRawDataIsNotCopiedOntoTheHeap() throws Exception {
        IntoGraph g = IntoGraph.read(graph("mlp.onnx"));
        TensorProto t = g.model().getGraph().getInitializer(0);
        assertTrue(t.getRawData().asReadOnlyByteBuffer().isDirect(), "raw_data aliases the mapped file");
        List<String> names = new ArrayList<>();
        g.model().getGraph().getInitializerList().forEach(x -> names.add(x.getName()));
        assertEquals(List.of("fc1.weight", "fc1.bias", "norm.weight", "norm.bias", "fc2.weight", "fc2.bias"), names);
    }
}
