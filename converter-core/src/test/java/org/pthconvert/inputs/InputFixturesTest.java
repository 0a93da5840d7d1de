package org.pthconvert.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.archive.CheckpointContainer.Format;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorHashes;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.testdata.Fixtures.ManifestRow;
import org.pthconvert.testdata.Fixtures;

/**
 * Every input fixture made by real torch (safetensors, sharded folders, DCP folders saved by two gloo
 * ranks) read under both selections: the names, dtypes, shapes and bytes torch gave for the whole
 * (unsharded) tensors, through both ways a source hands bytes out.
 */
class InputFixturesTest {

    @TempDir
    Path scratch;

    @TestFactory
    Stream<DynamicTest> everyInputMatchesTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        List<ManifestRow> all = Fixtures.inputs();
        for (String file : all.stream().map(ManifestRow::file).distinct().toList()) {
            for (String select : List.of(Fixtures.SELECT_AUTO, Fixtures.SELECT_ALL)) {
                List<ManifestRow> rows = all.stream().filter(r -> r.file().equals(file) && r.select().equals(select))
                        .toList();
                tests.add(DynamicTest.dynamicTest(file + " --select " + select, () -> check(file, select, rows)));
            }
        }
        return tests.stream();
    }

    private void check(String file, String select, List<ManifestRow> rows) throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.input(file))) {
            Selected selected = NameRules.none().apply(WeightSelector.select(ckpt, Selection.parse(select)));
            Map<String, NamedTensor> byName = new LinkedHashMap<>();
            selected.tensors().forEach(t -> byName.put(t.name(), t));
            assertEquals(rows.stream().map(ManifestRow::name).toList(), new ArrayList<>(byName.keySet()),
                    file + ": names, in order");
            int i = 0;
            for (ManifestRow row : rows) {
                var view = byName.get(row.name()).source().view();
                assertEquals(row.dtype(), view.dtype().torchName(), row.name() + ": dtype");
                assertEquals(row.shape(), java.util.Arrays.stream(view.shape().toArray()).boxed().toList(),
                        row.name() + ": shape");
                assertEquals(row.sha256(), TensorHashes.viaChunks(ckpt.source(view)), row.name() + ": bytes (chunks)");
                assertEquals(row.sha256(), TensorHashes.viaTransfer(ckpt.source(view), scratch.resolve("t" + i++)),
                        row.name() + ": bytes (transferTo)");
            }
        }
    }

    @Test
    void kindsAreDetectedFromContent() throws Exception {
        Map<String, Format> kinds = Map.of("plain.safetensors", Format.SAFETENSORS, "hf_bin", Format.SHARDED_BIN,
                "hf_safetensors", Format.SHARDED_SAFETENSORS, "dcp_adam", Format.DCP,
                "hf_bin/pytorch_model.bin.index.json", Format.SHARDED_BIN,
                "hf_safetensors/model.safetensors.index.json", Format.SHARDED_SAFETENSORS,
                "hf_single_safetensors", Format.FOLDER_SAFETENSORS, "hf_single_bin", Format.FOLDER_BIN,
                "hf_single_both", Format.FOLDER_SAFETENSORS, "dcp_strided", Format.DCP);
        for (var e : kinds.entrySet()) {
            try (Checkpoint ckpt = Checkpoint.open(Fixtures.input(e.getKey()))) {
                assertEquals(e.getValue(), ckpt.format(), e.getKey());
            }
        }
    }
}
