package org.pthconvert.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.Writers;

/**
 * Runs every command once on a sample checkpoint (and the common ones on any further checkpoints
 * given), so that the build can record the classes they load
 * in a class-data-sharing archive ({@code -XX:ArchiveClassesAtExit}); {@code bin/pthconvert} then
 * starts from that archive, which saves a good part of the JVM's start-up. Not a user command.
 */
public final class Warmup {
    private Warmup() {
    }

    public static void main(String[] args) throws IOException {
        Path sample = Path.of(args[0]);
        Path dir = Files.createTempDirectory("pthconvert-warmup");
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        try {
            String in = sample.toString();
            int failures = 0;
            failures += Main.run(new String[] {"inspect", in}, sink, sink);
            failures += Main.run(new String[] {"inspect", "--json", in}, sink, sink);
            failures += Main.run(new String[] {"scan", in}, sink, sink);
            failures += Main.run(new String[] {"convert", in, dir.resolve("a.safetensors").toString()}, sink, sink);
            failures += Main.run(new String[] {"convert", in, dir.resolve("b.npz").toString(), "--dtype", "bfloat16"},
                    sink, sink);
            failures += Main.run(new String[] {"convert", in, dir.resolve("d.h5").toString()}, sink, sink);
            failures += Main.run(new String[] {"convert", in, dir.resolve("e.h5").toString(), "--compress"}, sink, sink);
            failures += Main.run(new String[] {"convert", in, dir.resolve("c").toString(), "--to", "safetensors",
                "--max-shard-size", "1KB", "--select", "all"}, sink, sink);
            failures += Main.run(new String[] {"strip", in, dir.resolve("s.pth").toString()}, sink, sink);
            failures += Main.run(new String[] {"strip", in, dir.resolve("k.pth").toString(), "--keep-storages",
                "--json"}, sink, sink);
            // Every installed writer, so plug-ins start as fast as the built-ins.
            int n = 0;
            for (TensorWriter w : Writers.standard().all()) {
                String out = dir.resolve("w" + n++ + w.extensions().get(0)).toString();
                failures += Main.run(new String[] {"convert", in, out, "--to", w.name()}, sink, sink) == 0 ? 0 : 1;
            }
            failures += Main.run(new String[] {"batch", "--to", "safetensors", "--out-dir", dir.resolve("batch")
                .toString(), "-j", "1", "-q", in}, sink, sink);
            Main.run(new String[] {"--help"}, sink, sink);
            Main.run(new String[] {"--version"}, sink, sink);
            Main.run(new String[] {}, sink, sink);
            for (Commands.Entry e : Commands.ALL) {
                Main.run(new String[] {e.name(), "--help"}, sink, sink);
                // a usage error: the parser's error path and the one-line report
                Main.run(new String[] {e.name(), "--no-such-option"}, sink, sink);
            }
            // Other checkpoints (training checkpoints: optimizer state, scheduler, plain Python values;
            // a whole-model pickle, a legacy file, strided views) take other paths through the reader
            // and the writers; the common commands on each.
            for (int i = 1; i < args.length; i++) {
                String other = args[i];
                failures += Main.run(new String[] {"inspect", other}, sink, sink);
                // scan says what it found in its exit code: a whole-model pickle imports code (3).
                int scanned = Main.run(new String[] {"scan", "--all", other}, sink, sink);
                failures += scanned == ExitCode.OK || scanned == ExitCode.DANGEROUS ? 0 : 1;
                failures += Main.run(new String[] {"convert", other, dir.resolve(i + ".safetensors").toString()}, sink, sink);
                failures += Main.run(new String[] {"convert", other, dir.resolve(i + ".npz").toString()}, sink, sink);
                failures += Main.run(new String[] {"strip", other, dir.resolve(i + ".pth").toString()}, sink, sink);
            }
            if (failures != 0) {
                System.err.println("warm-up: a command failed on " + String.join(" or ", args));
                System.exit(1);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
