package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.torch.PTensor;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.QuantizedRow;

/**
 * quantized.pth against quantized.tsv: every quantized tensor carries its scheme, axis, scales and
 * zero points, per-channel ones read from the small tensors torch pickles inside the quantizer
 * parameters; the same values through {@link Checkpoint#tensors()} and {@link Checkpoint#view(PTensor)}.
 */
class QuantizedFixtureTest {

    @Test
    void quantizationParametersMatchTorch() throws Exception {
        List<QuantizedRow> rows = Fixtures.quantized();
        assertFalse(rows.isEmpty());
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.file("quantized.pth"))) {
            Map<String, TensorEntry> byName = new HashMap<>();
            ckpt.tensors().forEach(t -> byName.put(t.name(), t));
            PDict root = (PDict) ckpt.root();
            for (QuantizedRow row : rows) {
                TensorEntry t = byName.get(row.name());
                assertNotNull(t, row.name());
                assertEquals(Dtype.Kind.QUANTIZED, t.view().dtype().kind(), row.name());
                assertEquals("qtensor", t.kind());
                Quantization q = t.view().quantization();
                assertNotNull(q, row.name());
                assertEquals(row.scheme(), q.scheme(), row.name());
                assertEquals(row.axis(), q.axis(), row.name());
                assertEquals(row.scales(), q.scales(), row.name() + ": scales");
                assertEquals(row.zeroPoints(), q.zeroPoints(), row.name() + ": zero points");
                PickleValue inTree = root.get(row.name());
                PTensor pt = (PTensor) inTree;
                assertEquals(q, ckpt.view(pt).quantization(), row.name() + ": through the object tree");
                if (!row.perChannel()) {
                    assertSame(pt.view(), ckpt.view(pt), "per-tensor views need no completing");
                }
            }
            // The float tensor beside them is not quantized; the parameter tensors are no outputs.
            assertEquals(null, byName.get("float").view().quantization());
            assertEquals(rows.size() + 1, ckpt.tensors().size());
        }
    }
}
