package org.pthconvert.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.pthconvert.writers.service.ConversionService;

/**
 * What the single-machine conversion ({@link ConversionService}, as {@code convert} runs it) gives for
 * every checkpoint of a tree: the output's bytes, or the one-line reason it fails.
 */
final class Expected {
    /** One input's single-machine outcome: bytes of the output, or the error line. */
    record Outcome(byte[] bytes, String error) {
    }

    private Expected() {
    }

    /** Keyed by the path below {@code tree}. */
    static Map<String, Outcome> of(Path tree, Path scratch, String format, String ext) throws IOException {
        Map<String, Outcome> out = new LinkedHashMap<>();
        JobOptions options = JobOptions.parse("--to", format, "--out-dir", "unused", "unused");
        int i = 0;
        for (Path in : files(tree)) {
            String rel = tree.relativize(in).toString().replace('\\', '/');
            if (!options.takes(rel)) {
                continue;
            }
            Path o = scratch.resolve("expected-" + i++ + ext);
            try {
                ConversionService.standard().convert(options.request(in, o));
                out.put(rel, new Outcome(Files.readAllBytes(o), null));
            } catch (Exception e) {
                out.put(rel, new Outcome(null, FailureLine.of(e)));
            }
        }
        return out;
    }

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
        }
    }

    /** Copies named files of {@code from} into {@code to/folder}. */
    static void copy(Path from, Path to, String folder, String... names) throws IOException {
        Path dir = Files.createDirectories(to.resolve(folder));
        for (String n : names) {
            Files.copy(from.resolve(n), dir.resolve(n));
        }
    }
}
