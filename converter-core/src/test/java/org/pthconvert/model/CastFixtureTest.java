package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.io.TensorCast;
import org.pthconvert.testdata.Fixtures;

/**
 * Casts and widenings against what torch itself computed when the fixtures were made: casts.tsv
 * holds {@code t.to(target)}, widened.tsv {@code t.float()} (NaN lanes by the fixed rule the
 * fixtures README states).
 */
class CastFixtureTest {

    @TestFactory
    Stream<DynamicTest> castsMatchTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixtures.CastRow row : Fixtures.casts()) {
            tests.add(DynamicTest.dynamicTest(row.file() + " " + row.name() + " -> " + row.target(), () ->
                    check(row.file(), row.name(), Dtype.fromTorchName(row.target()).orElseThrow(), row.sha256())));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> wideningsMatchTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixtures.WidenedRow row : Fixtures.widened()) {
            tests.add(DynamicTest.dynamicTest(row.file() + " " + row.name() + " -> float32", () ->
                    check(row.file(), row.name(), Dtype.F32, row.sha256())));
        }
        return tests.stream();
    }

    private static void check(String file, String name, Dtype target, String sha) throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.file(file))) {
            TensorEntry entry = ckpt.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
            assertNotNull(entry, name + " not found in " + file);
            var source = ckpt.source(entry.view());
            var cast = entry.view().dtype() == target ? source : TensorCast.of(source, entry.view().dtype(), target);
            assertEquals(sha, TensorHashes.viaChunks(cast), name + " as " + target);
        }
    }
}
