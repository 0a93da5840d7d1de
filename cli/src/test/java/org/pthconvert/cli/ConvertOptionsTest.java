package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.testdata.Fixtures;

/** The convert options beyond selection: dedupe, shards, metadata, casts. */
class ConvertOptionsTest {

    @TempDir
    Path dir;

    @Test
    void tiedWeightsAreWrittenTwiceByDefaultAndOnceWithDedupe() throws Exception {
        Path both = dir.resolve("both.safetensors");
        assertEquals(0, CliRun.of("convert", Fixtures.file("tied.pth").toString(), both.toString(), "-q").code());
        SafetensorsFile all = SafetensorsFile.read(both);
        assertTrue(all.names().containsAll(List.of("embed.weight", "decoder.weight")), all.names().toString());

        Path once = dir.resolve("once.safetensors");
        CliRun r = CliRun.of("convert", Fixtures.file("tied.pth").toString(), once.toString(), "--dedupe");
        assertEquals(0, r.code(), r.toString());
        SafetensorsFile deduped = SafetensorsFile.read(once);
        assertEquals(all.names().size() - 1, deduped.names().size(), deduped.names().toString());
        assertTrue(deduped.names().contains("decoder.weight") && !deduped.names().contains("embed.weight"),
                "keeps the sorted-first name: " + deduped.names());
        assertTrue(deduped.header().contains("\"embed.weight\":\"decoder.weight\""), deduped.header());
    }

    @Test
    void metadataIsAddedBesideFormat() throws Exception {
        Path out = dir.resolve("m.safetensors");
        assertEquals(0, CliRun.of("convert", Fixtures.file("sample.pth").toString(), out.toString(),
                "--metadata", "source=unit-test", "-q").code());
        String header = SafetensorsFile.read(out).header();
        assertTrue(header.contains("\"format\":\"pt\"") && header.contains("\"source\":\"unit-test\""), header);
    }

    @Test
    void shardsWithAnIndex() throws Exception {
        Path out = dir.resolve("sharded");
        CliRun r = CliRun.of("convert", Fixtures.file("sample.pth").toString(), out.toString(), "--to", "safetensors",
                "--max-shard-size", "2KB");
        assertEquals(0, r.code(), r.toString());
        String index = Files.readString(out.resolve("model.safetensors.index.json"));
        assertTrue(index.contains("\"total_size\"") && index.contains("\"weight_map\""), index);
        Set<String> names = new HashSet<>();
        try (var files = Files.list(out)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
                assertTrue(p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors"), p.toString());
                names.addAll(SafetensorsFile.read(p).names());
            }
        }
        assertEquals(Fixtures.manifest("sample.pth", "auto").size(), names.size());

        Path small = dir.resolve("one");
        assertEquals(0, CliRun.of("convert", Fixtures.file("sample.pth").toString(), small.toString(), "--to",
                "safetensors", "--max-shard-size", "5GB", "-q").code());
        assertTrue(Files.exists(small.resolve("model.safetensors")));
        assertFalse(Files.exists(small.resolve("model.safetensors.index.json")));
    }

    @Test
    void castsMatchTorch() throws Exception {
        Path out = dir.resolve("c.safetensors");
        assertEquals(0, CliRun.of("convert", Fixtures.file("casts.pth").toString(), out.toString(),
                "--dtype", "bf16", "-q").code());
        SafetensorsFile st = SafetensorsFile.read(out);
        int checked = 0;
        for (Fixtures.CastRow row : Fixtures.casts()) {
            if (row.file().equals("casts.pth") && row.target().equals("bfloat16")) {
                assertEquals("BF16", st.entries().get(row.name()).dtype(), row.name());
                assertEquals(row.sha256(), st.entries().get(row.name()).sha256(), row.name());
                checked++;
            }
        }
        assertTrue(checked > 0);
    }
}
