package org.pthconvert.writers.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.select.ModuleMetadata;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.tensor.TensorView;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.PlannedTensor;
import org.pthconvert.writers.StorageIdentity;

/**
 * Every fixture written as a weights-only .pth and read back by our own reader: the same names,
 * dtypes, shapes and bytes as the manifest, tied weights in one record, the module metadata kept.
 */
class PthRoundTripTest {

    private static final SerializationId ID = new SerializationId("0".repeat(20) + "1".repeat(20));

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyFixtureStripsAndReadsBack() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : Fixtures.manifestFiles()) {
            List<ManifestRow> rows = Fixtures.manifest(file, Fixtures.SELECT_AUTO);
            if (!rows.isEmpty()) {
                tests.add(DynamicTest.dynamicTest(file, () -> roundTrip(file, rows)));
            }
        }
        return tests.stream();
    }

    private void roundTrip(String file, List<ManifestRow> rows) throws Exception {
        Path out = dir.resolve(file.replace('.', '_') + ".pth");
        ModuleMetadata expectedMetadata;
        try (Checkpoint src = Checkpoint.open(Fixtures.file(file))) {
            Selected after = NameRules.none().apply(WeightSelector.select(src, Selection.parse("auto")));
            expectedMetadata = after.moduleMetadata();
            write(src, after, expectedMetadata, out, "model");
        }
        try (Checkpoint back = Checkpoint.open(out)) {
            assertEquals(List.of("data.pkl", ".format_version", ".storage_alignment", "byteorder"),
                    back.recordNames().subList(0, 4));
            Selected sel = WeightSelector.select(back, Selection.parse("auto"));
            Map<String, NamedTensor> byName = new LinkedHashMap<>();
            sel.tensors().forEach(t -> byName.put(t.name(), t));
            assertEquals(rows.stream().map(ManifestRow::name).toList(), new ArrayList<>(byName.keySet()));
            for (ManifestRow row : rows) {
                TensorView v = byName.get(row.name()).source().view();
                assertEquals(row.dtype(), v.dtype().torchName(), row.name());
                assertEquals(row.shape(), boxed(v.shape().toArray()), row.name());
                assertEquals(row.sha256(), sha256(back.source(v)), row.name());
            }
            assertEquals(expectedMetadata, sel.moduleMetadata());
        }
    }

    @Test
    void tiedWeightsShareOneRecordAndOnePickledTensor() throws Exception {
        Path out = dir.resolve("tied.pth");
        Map<String, String> sourceKeys = new HashMap<>();
        try (Checkpoint src = Checkpoint.open(Fixtures.file("tied.pth"))) {
            Selected sel = NameRules.none().apply(WeightSelector.select(src, Selection.parse("auto")));
            sel.tensors().forEach(t -> sourceKeys.put(t.name(), viewId(t.source().view()).toString()));
            write(src, sel, ModuleMetadata.EMPTY, out, "tied");
        }
        try (Checkpoint back = Checkpoint.open(out)) {
            Map<String, String> keys = new HashMap<>();
            back.tensors().forEach(t -> keys.put(t.name(), t.view().storage().key()));
            int pairs = 0;
            for (String a : keys.keySet()) {
                for (String b : keys.keySet()) {
                    if (a.compareTo(b) < 0 && sourceKeys.get(a).equals(sourceKeys.get(b))) {
                        assertEquals(keys.get(a), keys.get(b), a + " and " + b + " are tied in the source");
                        pairs++;
                    }
                }
            }
            assertTrue(pairs > 0, "tied.pth has tied weights");
            long records = back.recordNames().stream().filter(n -> n.startsWith("data/")).count();
            assertEquals(back.storages().size(), records);
        }
    }

    @Test
    void sameInputAndIdGiveTheSameBytes() throws Exception {
        Path a = dir.resolve("a.pth");
        Path b = dir.resolve("b.pth");
        for (Path p : List.of(a, b)) {
            try (Checkpoint src = Checkpoint.open(Fixtures.file("state_dict.pth"))) {
                Selected sel = NameRules.none().apply(WeightSelector.select(src, Selection.parse("auto")));
                write(src, sel, sel.moduleMetadata(), p, "a");
            }
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void metadataKeysFollowTheNameRules() throws Exception {
        try (Checkpoint src = Checkpoint.open(Fixtures.file("dataparallel.pth"))) {
            Selected before = WeightSelector.select(src, Selection.parse("auto"));
            Set<String> sourceKeys = before.moduleMetadata().modules().keySet();
            assertTrue(sourceKeys.contains("module.bn"), sourceKeys.toString());
            Set<String> keys = NameRules.none().apply(before).moduleMetadata().modules().keySet();
            assertTrue(keys.contains("bn") && keys.contains(""), keys.toString());
            assertFalse(keys.stream().anyMatch(k -> k.startsWith("module")), keys.toString());

            NameRules onlyFc = new NameRules(List.of("module."), List.of(), List.of(),
                    List.of(org.pthconvert.select.Glob.compile("bn.*")), false);
            Set<String> kept = onlyFc.apply(before).moduleMetadata().modules().keySet();
            assertFalse(kept.contains("bn"), "every tensor under bn was excluded: " + kept);
            assertTrue(kept.contains("fc") && kept.contains("conv"), kept.toString());
        }
    }

    /**
     * torch.save(model.state_dict(), path) made these fixtures: given the same top folder and
     * serialization id, our file is the same, byte for byte.
     */
    @TestFactory
    Stream<DynamicTest> byteIdenticalToTorchForItsOwnStateDicts() {
        return Stream.of("state_dict.pth", "tied.pth", "sample.pth").map(f -> DynamicTest.dynamicTest(f, () -> {
            Path source = Fixtures.file(f);
            String folder;
            SerializationId id;
            try (ZipFile z = new ZipFile(source.toFile())) {
                String first = z.entries().nextElement().getName();
                folder = first.substring(0, first.indexOf('/'));
                id = new SerializationId(new String(z.getInputStream(z.getEntry(folder + "/.data/serialization_id"))
                        .readAllBytes(), StandardCharsets.US_ASCII));
            }
            Path out = dir.resolve("same_" + f);
            try (Checkpoint src = Checkpoint.open(source)) {
                NameRules keep = new NameRules(List.of(), List.of(), List.of(), List.of(), true);
                Selected sel = keep.apply(WeightSelector.select(src, Selection.parse("auto")));
                write(src, sel, sel.moduleMetadata(), out, folder, id);
            }
            assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(out));
        }));
    }

    @Test
    void tiesAreFoundWhateverTheStorageKeys() {
        // Views of one storage share a record; the plan skips looking for ties only when every key is a
        // distinct number near the count.
        for (String shared : List.of("0", "7", "2147483647", "legacy/94363651379616", "01")) {
            List<PlannedTensor> items = new ArrayList<>();
            items.add(item("a", "1"));
            items.add(item("b", shared));
            items.add(item("c", "2"));
            items.add(item("d", shared));
            PthLayout layout = PthLayout.plan(items);
            assertEquals(3, layout.records().size(), shared);
            assertEquals(List.of("a", "b", "c"), layout.needed().stream().map(TensorSpec::name).toList(), shared);
            assertEquals(layout.tensors().get(1).storage(), layout.tensors().get(3).storage(), shared);
        }
        List<PlannedTensor> distinct = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            distinct.add(item("t" + i, Integer.toString(4 - i)));
        }
        assertEquals(5, PthLayout.plan(distinct).records().size());
    }

    private static PlannedTensor item(String name, String storageKey) {
        Shape shape = Shape.of(4);
        return new PlannedTensor(new TensorSpec(name, Dtype.F32, shape),
                new StorageIdentity(storageKey, 0, shape.contiguousStrides(), Dtype.F32, 16));
    }

    @Test
    void differentIdsGiveDifferentFiles() throws Exception {
        assertNotEquals(SerializationId.random(), SerializationId.random());
    }

    static void write(Checkpoint src, Selected sel, ModuleMetadata md, Path out, String folder)
            throws IOException, CheckpointException {
        write(src, sel, md, out, folder, ID);
    }

    static void write(Checkpoint src, Selected sel, ModuleMetadata md, Path out, String folder, SerializationId id)
            throws IOException, CheckpointException {
        List<PlannedTensor> items = new ArrayList<>();
        Map<String, TensorEntry> byName = new HashMap<>();
        for (NamedTensor t : sel.tensors()) {
            TensorView v = t.source().view();
            items.add(new PlannedTensor(new TensorSpec(t.name(), v.dtype(), v.shape(), v.quantization()), viewId(v)));
            byName.put(t.name(), t.source());
        }
        PthLayout layout = PthLayout.plan(items);
        try (FileChannel ch = OutputFiles.openEmpty(out, true)) {
            PthOutput o = new PthOutput(ch, folder, layout, md, id);
            for (TensorSpec s : layout.needed()) {
                o.write(s, src.source(byName.get(s.name()).view()));
            }
            o.finish();
        }
    }

    private static StorageIdentity viewId(TensorView v) {
        return new StorageIdentity(v.storage().key(), v.storageOffset(), v.strides(), v.storage().dtype(),
                v.storage().byteSize());
    }

    private static List<Long> boxed(long[] a) {
        List<Long> out = new ArrayList<>();
        for (long x : a) {
            out.add(x);
        }
        return out;
    }

    static String sha256(TensorSource s) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        s.forEachChunk(md::update);
        return Fixtures.hex(md.digest());
    }
}
