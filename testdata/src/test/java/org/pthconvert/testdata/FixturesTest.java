package org.pthconvert.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FixturesTest {

    @Test
    void manifestParsesAndEveryListedFileExists() {
        List<Fixtures.ManifestRow> rows = Fixtures.manifest();
        assertFalse(rows.isEmpty(), "manifest.tsv has no rows");
        Set<String> keys = new HashSet<>();
        for (Fixtures.ManifestRow r : rows) {
            assertTrue(Files.isRegularFile(r.path()), "missing fixture " + r.file());
            assertTrue(r.select().equals(Fixtures.SELECT_AUTO) || r.select().equals(Fixtures.SELECT_ALL), r.toString());
            assertTrue(r.sha256().matches("[0-9a-f]{64}"), r.toString());
            assertTrue(keys.add(r.file() + "\t" + r.select() + "\t" + r.name()), "duplicate row " + r);
            assertTrue(r.shape().stream().allMatch(d -> d >= 0), r.toString());
        }
        for (String file : Fixtures.manifestFiles()) {
            assertFalse(Fixtures.manifest(file, Fixtures.SELECT_AUTO).isEmpty(), file + " has no auto rows");
            assertFalse(Fixtures.manifest(file, Fixtures.SELECT_ALL).isEmpty(), file + " has no all rows");
        }
        Fixtures.ManifestRow steps = Fixtures.manifest("state_dict.pth", Fixtures.SELECT_AUTO).stream()
                .filter(r -> r.name().equals("bn.num_batches_tracked")).findFirst().orElseThrow();
        assertEquals("int64", steps.dtype());
        assertEquals(List.of(), steps.shape());
        assertEquals(1, steps.numel());
    }

    @Test
    void otherTablesParseAndNameExistingFiles() {
        assertFalse(Fixtures.casts().isEmpty());
        Fixtures.casts().forEach(r -> assertTrue(Files.isRegularFile(Fixtures.file(r.file()))));
        assertFalse(Fixtures.widened().isEmpty());
        Fixtures.widened().forEach(r -> assertTrue(Files.isRegularFile(Fixtures.file(r.file()))));
        List<Fixtures.QuantizedRow> q = Fixtures.quantized();
        assertFalse(q.isEmpty());
        for (Fixtures.QuantizedRow r : q) {
            assertEquals(r.scales().size(), r.zeroPoints().size(), r.toString());
            assertEquals(r.perChannel(), r.scheme().equals("per_channel_affine"), r.toString());
        }
    }

    @Test
    void hostileCorpusIsComplete() {
        List<Fixtures.HostileRow> rows = Fixtures.hostileExpected();
        assertFalse(rows.isEmpty());
        Set<Fixtures.Expect> kinds = new HashSet<>();
        for (Fixtures.HostileRow r : rows) {
            assertTrue(Files.exists(r.path()), "missing hostile file " + r.file());
            assertEquals(r.keyword().toLowerCase(java.util.Locale.ROOT), r.keyword(), r.toString());
            assertFalse(Files.exists(r.marker()), "a payload ran: " + r.marker());
            kinds.add(r.expect());
        }
        assertEquals(Set.of(Fixtures.Expect.values()), kinds);
    }
}
