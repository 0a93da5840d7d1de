package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pthconvert.testdata.Fixtures;

/**
 * The inputs of issue 16 through the command line: inspect names the kind it found, convert takes
 * the model weights of a DCP folder, and every hostile variant (testdata/inputs/hostile) is refused
 * by convert and inspect with one line naming the problem, exit 1 and no output.
 */
class InputsCliTest {

    @TempDir
    Path out;

    static Stream<Arguments> hostile() throws Exception {
        List<Arguments> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(Fixtures.inputsDir().resolve("hostile").resolve("expected.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isEmpty()) {
                String[] c = line.split("\t");
                rows.add(Arguments.of(c[0], c[1]));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileInputsAreRefusedInOneLine(String name, String keyword) throws Exception {
        String in = Fixtures.inputsDir().resolve("hostile").resolve(name).toString();
        Path dir = Files.createDirectory(out.resolve(name));
        for (String[] args : List.of(new String[] {"convert", in, dir.resolve("o.safetensors").toString()},
                new String[] {"convert", in, dir.resolve("o.npz").toString()}, new String[] {"inspect", in})) {
            CliRun r = CliRun.of(args);
            assertEquals(1, r.code(), r.toString());
            assertEquals(1, r.errLines(), r.toString());
            assertTrue(r.err().toLowerCase(Locale.ROOT).contains(keyword.toLowerCase(Locale.ROOT)), r.toString());
            assertEquals("", r.out(), r.toString());
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "a refused conversion left files behind");
        }
        assertFalse(Files.exists(Path.of("/tmp/pthconvert-pwned-dcp")), "payload ran");
    }

    @Test
    void inspectSaysWhichKindItFound() {
        String[][] cases = {{"dcp_adam", "torch.distributed.checkpoint folder"}, {"hf_bin", "torch.save shards"},
            {"hf_safetensors/model.safetensors.index.json", "safetensors shards"}, {"plain.safetensors", "safetensors file"},
            {"hf_single_safetensors", "folder with one model.safetensors"}, {"hf_single_bin", "folder with one torch.save pytorch_model.bin"},
            {"hf_single_both", "folder with one model.safetensors"}};
        for (String[] c : cases) {
            CliRun r = CliRun.of("inspect", Fixtures.input(c[0]).toString());
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().lines().findFirst().orElse("").contains(c[1]), r.toString());
        }
        CliRun both = CliRun.of("inspect", Fixtures.input("hf_single_both").toString());
        assertTrue(both.out().lines().skip(1).findFirst().orElse("").contains("also holds pytorch_model.bin"), both.toString());
        CliRun values = CliRun.of("inspect", Fixtures.input("dcp_bytes").toString());
        assertTrue(values.out().contains("step: 7") && values.out().contains("run: 'run-1'")
                && values.out().contains("betas: (0.9, 0.99)"), values.toString());
        CliRun meta = CliRun.of("inspect", Fixtures.input("plain.safetensors").toString());
        assertTrue(meta.out().contains("__metadata__") && meta.out().contains("format: 'pt'"), meta.toString());
    }

    @Test
    void convertTakesTheModelOfATrainingDcpFolder() throws Exception {
        Path target = out.resolve("m.safetensors");
        CliRun r = CliRun.of("convert", Fixtures.input("dcp_adam").toString(), target.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.size(target) > 0);
        CliRun back = CliRun.of("inspect", target.toString());
        assertEquals(0, back.code(), back.toString());
        assertTrue(back.out().contains("fc1.weight: float32 [8, 4]"), back.toString());
        assertFalse(back.out().contains("exp_avg"), back.toString());
    }

    @Test
    void scanAuditsFoldersAndRefusesCodeInDcpMetadata() {
        CliRun safe = CliRun.of("scan", Fixtures.input("dcp_adam").toString(), Fixtures.input("hf_bin").toString());
        assertEquals(0, safe.code(), safe.toString());
        CliRun bad = CliRun.of("scan", Fixtures.inputsDir().resolve("hostile").resolve("dcp_code_global").toString());
        assertEquals(3, bad.code(), bad.toString());
    }
}
