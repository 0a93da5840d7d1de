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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.select.ModuleMetadata;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.Fixtures;
import org.pthconvert.writers.PlannedTensor;
import org.pthconvert.writers.SourceInfo;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

class OnnxWriterTest {

    @TempDir
    Path dir;

    private final OnnxWriter writer = new OnnxWriter();

    /** Every dtype ONNX holds, a scalar and an empty tensor; names in this order. */
    private static Map<TensorSpec, byte[]> everyType() {
        Map<TensorSpec, byte[]> m = new LinkedHashMap<>();
        int seed = 1;
        for (Dtype d : Dtype.values()) {
            if (OnnxTypes.code(d).isPresent()) {
                Shape shape = d.byteWidth() == 1 ? Shape.of(16, 16) : Shape.of(3, 2);
                byte[] bytes = d.byteWidth() == 1 && d != Dtype.BOOL ? Fixtures.allCodes()
                        : Fixtures.pattern(d, shape, seed++);
                m.put(new TensorSpec("t." + d.torchName(), d, shape), bytes);
            }
        }
        m.put(new TensorSpec("scalar", Dtype.F64, Shape.SCALAR), Fixtures.pattern(Dtype.F64, Shape.SCALAR, 40));
        m.put(new TensorSpec("empty", Dtype.F32, Shape.of(0, 3)), new byte[0]);
        m.put(new TensorSpec("\u00fcn\u00ef \uD83D\uDE00/x", Dtype.I64, Shape.of(2)), Fixtures.pattern(Dtype.I64, Shape.of(2), 41));
        return m;
    }

    private ModelProto write(Path dest, Map<TensorSpec, byte[]> tensors, WriteOptions opts) throws Exception {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        tensors.forEach((s, b) -> bytes.put(s.name(), b));
        return OnnxOutput.write(dest, new ArrayList<>(tensors.keySet()), bytes, opts);
    }

    private static void assertInitializers(Path model, ModelProto m, Map<TensorSpec, byte[]> tensors) throws Exception {
        List<TensorProto> inits = m.getGraph().getInitializerList();
        assertEquals(tensors.size(), inits.size());
        int i = 0;
        for (Map.Entry<TensorSpec, byte[]> e : tensors.entrySet()) {
            TensorProto t = inits.get(i++);
            TensorSpec s = e.getKey();
            assertEquals(s.name(), t.getName());
            assertEquals(OnnxTypes.code(s.dtype()).getAsInt(), t.getDataType(), s.name());
            assertEquals(s.shape(), Shape.of(t.getDimsList().stream().mapToLong(Long::longValue).toArray()), s.name());
            assertArrayEquals(e.getValue(), OnnxOutput.data(model, t), s.name());
            assertEquals(0, t.getFloatDataCount() + t.getInt32DataCount() + t.getInt64DataCount(), s.name());
        }
    }

    @Test
    void everyDtypeInlineParsesBackExactly() throws Exception {
        Path out = dir.resolve("all.onnx");
        Map<TensorSpec, byte[]> tensors = everyType();
        ModelProto m = write(out, tensors, WriteOptions.DEFAULTS);
        assertInitializers(out, m, tensors);
        assertEquals(12, m.getIrVersion(), "float8_e8m0fnu needs IR 12");
        assertEquals(1, m.getOpsetImportCount());
        assertEquals(24, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertFalse(m.getGraph().getName().isEmpty());
        assertEquals("pthconvert", m.getProducerName());
        assertFalse(m.getProducerVersion().isEmpty());
        assertFalse(Files.exists(dir.resolve("all.onnx.data")));
        for (TensorProto t : m.getGraph().getInitializerList()) {
            assertTrue(t.hasRawData(), t.getName());
            assertFalse(t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL);
        }
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void irVersionIsTheLowestTheDtypeNeeds(Dtype d) throws Exception {
        if (OnnxTypes.code(d).isEmpty()) {
            assertTrue(writer.refuse(new TensorSpec("x", d, Shape.of(1)), WriteOptions.DEFAULTS).isPresent(), d.toString());
            return;
        }
        TensorSpec s = new TensorSpec("x", d, Shape.of(2));
        ModelProto m = write(dir.resolve(d + ".onnx"), Map.of(s, Fixtures.pattern(d, s.shape(), 3)), WriteOptions.DEFAULTS);
        int expected = switch (d) {
            case F8_E4M3FN, F8_E4M3FNUZ, F8_E5M2, F8_E5M2FNUZ -> 9;
            case F8_E8M0FNU -> 12;
            default -> 4;
        };
        assertEquals(expected, m.getIrVersion(), d.toString());
        assertEquals(expected == 4 ? 17 : expected == 9 ? 19 : 24, m.getOpsetImport(0).getVersion(), d.toString());
    }

    @Test
    void externalDataIsAlignedWithRightLengths() throws Exception {
        Path out = dir.resolve("ext.onnx");
        Map<TensorSpec, byte[]> tensors = everyType();
        ModelProto m = write(out, tensors, WriteOptions.DEFAULTS.withExtra(OnnxWriter.EXTERNAL, "true"));
        assertInitializers(out, m, tensors);
        Path data = dir.resolve("ext.onnx.data");
        assertTrue(Files.exists(data));
        long end = 0;
        for (TensorProto t : m.getGraph().getInitializerList()) {
            if (t.getName().equals("empty")) {
                assertFalse(t.getDataLocation() == TensorProto.DataLocation.EXTERNAL, "empty tensors stay inline");
                assertTrue(t.hasRawData());
                continue;
            }
            assertEquals(TensorProto.DataLocation.EXTERNAL, t.getDataLocation(), t.getName());
            assertFalse(t.hasRawData(), t.getName());
            Map<String, String> ext = OnnxOutput.entries(t.getExternalDataList());
            assertEquals(List.of("location", "offset", "length"), List.copyOf(ext.keySet()));
            assertEquals("ext.onnx.data", ext.get("location"));
            long offset = Long.parseLong(ext.get("offset"));
            assertEquals(0, offset % 4096, t.getName());
            assertTrue(offset >= end, "no overlap: " + t.getName());
            end = offset + Long.parseLong(ext.get("length"));
        }
        assertEquals(end, Files.size(data));
    }

    @Test
    void thresholdAndFileNameChooseTheSidecar() throws Exception {
        Map<TensorSpec, byte[]> small = Map.of(new TensorSpec("w", Dtype.F32, Shape.of(25)), new byte[100]);
        ModelProto atLimit = write(dir.resolve("a.onnx"), small,
                WriteOptions.DEFAULTS.withExtra(OnnxWriter.THRESHOLD, "100"));
        assertTrue(atLimit.getGraph().getInitializer(0).hasRawData());
        ModelProto over = write(dir.resolve("b.onnx"), small, WriteOptions.DEFAULTS
                .withExtra(OnnxWriter.THRESHOLD, "99").withExtra(OnnxWriter.DATA_FILE, "weights.bin"));
        assertEquals(TensorProto.DataLocation.EXTERNAL, over.getGraph().getInitializer(0).getDataLocation());
        assertTrue(Files.exists(dir.resolve("weights.bin")));
        assertFalse(Files.exists(dir.resolve("b.onnx.data")));
    }

    @Test
    void sidecarNameMustBePlain() {
        for (String bad : List.of("../x.data", "sub/x.data", "/tmp/x", "..", ".", "")) {
            assertTrue(writer.checkOptions(WriteOptions.DEFAULTS.withExtra(OnnxWriter.DATA_FILE, bad)).isPresent(), bad);
        }
        assertTrue(writer.checkOptions(WriteOptions.DEFAULTS.withExtra(OnnxWriter.DATA_FILE, "w.data")).isEmpty());
        assertTrue(writer.checkOptions(WriteOptions.DEFAULTS.withExtra(OnnxWriter.STRICT, "true")).isPresent());
    }

    @Test
    void metadataPropsHoldSourceSelectionAndEveryPair() throws Exception {
        TensorSpec s = new TensorSpec("w", Dtype.F16, Shape.of(2));
        WritePlan plan = new WritePlan(List.of(new PlannedTensor(s, null)),
                Map.of("tied.weight", "w", "note", "hi"), new SourceInfo("model.pth", "all", ModuleMetadata.EMPTY));
        ModelProto m = OnnxOutput.write(dir.resolve("m.onnx"), plan, Map.of("w", new byte[4]),
                WriteOptions.DEFAULTS.withMetadata(Map.of("note", "user wins", "who", "me")));
        Map<String, String> props = OnnxOutput.entries(m.getMetadataPropsList());
        assertEquals("model.pth", props.get("pthconvert.source"));
        assertEquals("all", props.get("pthconvert.selection"));
        assertEquals("w", props.get("tied.weight"));
        assertEquals("user wins", props.get("note"));
        assertEquals("me", props.get("who"));
    }

    @Test
    void refusesWhatOnnxCannotHoldByName() {
        for (Dtype d : List.of(Dtype.C32, Dtype.QINT8, Dtype.F4_E2M1FN_X2)) {
            var why = writer.refuse(new TensorSpec("q", d, Shape.of(2)), WriteOptions.DEFAULTS);
            assertTrue(why.isPresent() && why.get().contains(d.torchName()), d + ": " + why);
        }
        TensorSpec c32 = new TensorSpec("c", Dtype.C32, Shape.of(2));
        CheckpointException e = assertThrows(CheckpointException.class, () ->
                write(dir.resolve("c.onnx"), Map.of(c32, new byte[8]), WriteOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("c.onnx")));
    }

    @Test
    void layoutLengthsAreKnownBeforeData() throws Exception {
        Map<TensorSpec, byte[]> tensors = everyType();
        List<Draft> drafts = new ArrayList<>();
        for (TensorSpec s : tensors.keySet()) {
            drafts.add(new Draft.Fresh(s, null));
        }
        List<TensorSpec> specs = new ArrayList<>(tensors.keySet());
        InitializerLayout layout = InitializerLayout.plan(ModelShell.newModel(specs, SourceInfo.unknown(), Map.of()),
                ModelShell.newGraph(), drafts, false, "x.data");
        Path out = dir.resolve("len.onnx");
        write(out, tensors, WriteOptions.DEFAULTS);
        assertEquals(layout.modelLength(), Files.size(out));
        assertEquals(0, layout.sidecarLength());
    }
}
