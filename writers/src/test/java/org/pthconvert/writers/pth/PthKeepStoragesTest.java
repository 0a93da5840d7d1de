package org.pthconvert.writers.pth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;
import org.pthconvert.writers.Conversion;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.Progress;
import org.pthconvert.writers.WriteOptions;

/**
 * {@code --keep-storages} through the whole conversion: every fixture's selected tensors come back
 * with the manifest's bytes, each as the same view (offset, shape, strides) of a storage of the
 * source's size, tensors share a storage exactly when they share one in the source, and each
 * storage's bytes are the source storage's (little-endian).
 */
class PthKeepStoragesTest {

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyFixtureKeepsItsStorages() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : Fixtures.manifestFiles()) {
            List<ManifestRow> rows = Fixtures.manifest(file, Fixtures.SELECT_AUTO);
            if (!rows.isEmpty()) {
                tests.add(DynamicTest.dynamicTest(file, () -> keep(file, rows)));
            }
        }
        return tests.stream();
    }

    private void keep(String file, List<ManifestRow> rows) throws Exception {
        Path out = dir.resolve(file.replace('.', '_') + ".pth");
        Map<String, TensorView> source = new LinkedHashMap<>();
        Map<String, String> storageHash = new HashMap<>();
        try (Checkpoint src = Checkpoint.open(Fixtures.file(file))) {
            Selected sel = NameRules.none().apply(WeightSelector.select(src, Selection.parse("auto")));
            for (NamedTensor t : sel.tensors()) {
                TensorView v = t.source().view();
                source.put(t.name(), v);
                storageHash.putIfAbsent(v.storage().key(), PthRoundTripTest.sha256(src.source(whole(v))));
            }
            Conversion.run(src, sel, new PthWriter(), out, options(true).withSkipUnsupported(true));
        }
        try (Checkpoint back = Checkpoint.open(out)) {
            Map<String, TensorView> got = new LinkedHashMap<>();
            for (TensorEntry e : back.tensors()) {
                got.put(e.name(), e.view());
            }
            for (ManifestRow row : rows) {
                assertEquals(row.sha256(), PthRoundTripTest.sha256(back.source(got.get(row.name()))), row.name());
            }
            Set<String> storages = new HashSet<>();
            for (Map.Entry<String, TensorView> e : got.entrySet()) {
                String name = e.getKey();
                TensorView g = e.getValue();
                TensorView s = source.get(name);
                assertEquals(s.storageOffset(), g.storageOffset(), name);
                assertEquals(s.shape(), g.shape(), name);
                assertEquals(s.strides(), g.strides(), name);
                assertEquals(s.storage().byteSize(), g.storage().byteSize(), name);
                assertEquals(storageHash.get(s.storage().key()), PthRoundTripTest.sha256(back.source(whole(g))), name);
                storages.add(g.storage().key());
                for (Map.Entry<String, TensorView> o : got.entrySet()) {
                    boolean shareHere = o.getValue().storage().key().equals(g.storage().key());
                    boolean shareThere = source.get(o.getKey()).storage().key().equals(s.storage().key());
                    assertEquals(shareThere, shareHere, name + " and " + o.getKey() + " sharing a storage");
                }
            }
            long dataRecords = back.recordNames().stream().filter(n -> n.startsWith("data/")).count();
            long quantRecords = got.values().stream().filter(v -> v.quantization() != null
                    && v.quantization().axis() >= 0).count() * 2;
            assertEquals(storages.size() + quantRecords, dataRecords, "one record per source storage");
        }
    }

    /** views.pth: partial views (a narrow of a storage never saved whole, an int tail) stay partial views. */
    @Test
    void partialViewsKeepTheirWholeStorage() throws Exception {
        Path out = dir.resolve("views.pth");
        try (Checkpoint src = Checkpoint.open(Fixtures.file("views.pth"))) {
            Selected sel = NameRules.none().apply(WeightSelector.select(src, Selection.parse("auto")));
            Conversion.run(src, sel, new PthWriter(), out, options(true));
        }
        try (Checkpoint back = Checkpoint.open(out)) {
            Map<String, TensorView> got = new HashMap<>();
            back.tensors().forEach(e -> got.put(e.name(), e.view()));
            assertEquals(4096 * 4, got.get("narrow_of_big").storage().byteSize());
            assertEquals(1000, got.get("narrow_of_big").storageOffset());
            assertEquals(15, got.get("int_tail").storageOffset());
            assertEquals(3 * 4, got.get("expanded").storage().byteSize(), "stride 0 keeps its small storage");
            assertEquals(got.get("base").storage().key(), got.get("transposed").storage().key());
        }
    }

    @Test
    void progressCountsTheWholeStoragesAndEndsAtItsTotal() throws Exception {
        long[] seen = {-1, 0};
        Progress p = new Progress() {
            @Override
            public void start(long totalBytes) {
                seen[0] = totalBytes;
            }

            @Override
            public void advance(long bytes) {
                seen[1] += bytes;
            }
        };
        Conversion.Report r;
        try (Checkpoint src = Checkpoint.open(Fixtures.file("views.pth"))) {
            Selected sel = NameRules.none().apply(WeightSelector.select(src, Selection.parse("auto")));
            r = Conversion.run(src, sel, new PthWriter(), dir.resolve("p.pth"), options(true).withProgress(p));
        }
        assertEquals(seen[0], seen[1]);
        assertEquals(r.bytes(), seen[1]);
        assertTrue(seen[1] >= 4096 * 4, "the 4096-element storage is written whole: " + seen[1]);
    }

    @Test
    void aCastIsRefusedAsAUsageError() throws Exception {
        Path out = dir.resolve("cast.pth");
        try (Checkpoint src = Checkpoint.open(Fixtures.file("views.pth"))) {
            Selected sel = NameRules.none().apply(WeightSelector.select(src, Selection.parse("auto")));
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Conversion.run(src, sel,
                    new PthWriter(), out, options(true).withCastTo(Dtype.F16)));
            assertTrue(e.getMessage().contains("cast"), e.getMessage());
        }
        assertTrue(Files.notExists(out));
    }

    private static ConversionOptions options(boolean keep) {
        WriteOptions w = ConversionOptions.defaults().writeOptions()
                .withExtra(PthWriter.KEEP_STORAGES, Boolean.toString(keep))
                .withExtra(PthWriter.SERIALIZATION_ID, "1".repeat(40));
        return ConversionOptions.defaults().withWriteOptions(w);
    }

    /** The whole storage under {@code v}, as elements of {@code v}'s type. */
    private static TensorView whole(TensorView v) {
        StorageRef s = v.storage();
        int width = v.dtype().byteWidth();
        return new TensorView(s, v.dtype(), 0, Shape.of(s.byteSize() / width), Shape.of(1), null);
    }
}
