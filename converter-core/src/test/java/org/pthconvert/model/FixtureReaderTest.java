package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

/**
 * Every fixture made by real torch, read by our reader under both selections: the same names,
 * dtypes, shapes and bytes (SHA-256) that torch.load gave when the fixture was made.
 */
class FixtureReaderTest {

    @TempDir
    Path scratch;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesTheManifest() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : Fixtures.manifestFiles()) {
            for (String select : List.of(Fixtures.SELECT_AUTO, Fixtures.SELECT_ALL)) {
                List<ManifestRow> rows = Fixtures.manifest(file, select);
                if (!rows.isEmpty()) {
                    tests.add(DynamicTest.dynamicTest(file + " --select " + select, () -> check(file, select, rows)));
                }
            }
        }
        return tests.stream();
    }

    private void check(String file, String select, List<ManifestRow> rows) throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.file(file))) {
            Selected selected = NameRules.none().apply(WeightSelector.select(ckpt, Selection.parse(select)));
            Map<String, NamedTensor> byName = new LinkedHashMap<>();
            selected.tensors().forEach(t -> byName.put(t.name(), t));
            List<String> expectedNames = rows.stream().map(ManifestRow::name).toList();
            assertEquals(expectedNames, new ArrayList<>(byName.keySet()), file + ": names, in order");
            int i = 0;
            for (ManifestRow row : rows) {
                NamedTensor t = byName.get(row.name());
                var view = t.source().view();
                assertEquals(row.dtype(), view.dtype().torchName(), row.name() + ": dtype");
                assertEquals(row.shape(), toList(view.shape().toArray()), row.name() + ": shape");
                assertEquals(row.sha256(), TensorHashes.viaChunks(ckpt.source(view)), row.name() + ": bytes (chunks)");
                assertEquals(row.sha256(), TensorHashes.viaTransfer(ckpt.source(view), scratch.resolve("t" + i++)),
                        row.name() + ": bytes (transferTo)");
            }
        }
    }

    private static List<Long> toList(long[] a) {
        List<Long> out = new ArrayList<>(a.length);
        for (long x : a) {
            out.add(x);
        }
        return out;
    }
}
