package org.pthconvert.writers.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionService;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

/** Every fixture under both selections, through the conversion service: the generated classes parse it and every initializer is torch's tensor. */
class OnnxManifestTest {

    @TempDir
    Path dir;

    static Stream<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        for (String file : Fixtures.manifestFiles()) {
            out.add(Arguments.of(file, Fixtures.SELECT_AUTO));
            out.add(Arguments.of(file, Fixtures.SELECT_ALL));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} --select {1}")
    @MethodSource("fixtures")
    void initializersMatchTheManifest(String file, String select) throws Exception {
        Path out = dir.resolve("out.onnx");
        ConversionService.standard().convert(ConversionRequest.of(Fixtures.file(file), out).withFormat("onnx")
                .withSelection(select).withOptions(ConversionOptions.defaults().withSkipUnsupported(true)));
        ModelProto m = OnnxOutput.read(out);
        Map<String, TensorProto> inits = new HashMap<>();
        for (TensorProto t : m.getGraph().getInitializerList()) {
            assertTrue(inits.put(t.getName(), t) == null, "one initializer per name: " + t.getName());
        }
        int ir = OnnxTypes.MIN_IR;
        int kept = 0;
        for (ManifestRow r : Fixtures.manifest(file, select)) {
            Dtype d = Dtype.fromTorchName(r.dtype()).orElseThrow();
            TensorProto t = inits.get(r.name());
            if (OnnxTypes.code(d).isEmpty()) {
                assertFalse(inits.containsKey(r.name()), r.name() + " (" + d + ") should have been skipped");
                continue;
            }
            kept++;
            ir = Math.max(ir, OnnxTypes.minIr(d));
            assertTrue(t != null, "missing initializer " + r.name());
            assertEquals(OnnxTypes.code(d).getAsInt(), t.getDataType(), r.name());
            assertEquals(r.shape(), t.getDimsList(), r.name());
            assertEquals(r.sha256(), sha256(OnnxOutput.data(out, t)), r.name());
        }
        assertEquals(kept, inits.size(), "no initializer beyond the manifest's");
        assertEquals(ir, m.getIrVersion());
        assertEquals(OnnxTypes.opsetFor(ir), m.getOpsetImport(0).getVersion());
    }

    private static String sha256(byte[] b) throws Exception {
        return Fixtures.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
