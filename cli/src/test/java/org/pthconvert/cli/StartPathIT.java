package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pthconvert.testdata.Fixtures;

/**
 * What the everyday commands load, read from the JVM's class-loading log of the real launcher (a
 * count, not a time): every class from the class-data archive the build records, no lambda linked
 * and no regular expression compiled. The files are the common kinds: a state dict, training
 * checkpoints (with Adam's {@code eps=1e-08}, whose repr once went through a Formatter), a whole-model
 * pickle, a legacy file and strided views. Each of those costs milliseconds of every run (README,
 * "Start-up"), and each creeps back with an innocent-looking {@code forEach} or {@code split}.
 */
class StartPathIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Path work;

    @BeforeAll
    static void work() throws IOException {
        work = LaunchedCli.freshWork("start-path");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "--version",
            "--help",
            "convert --help",
            "convert sample.pth out.safetensors",
            "convert train_sgd.ckpt out.safetensors --json",
            "convert train_sgd.ckpt out.npz",
            "convert train_sgd.ckpt out.pth",
            "strip train_sgd.ckpt out.pth",
            "strip train_sgd.ckpt out.pth --json",
            "inspect train_sgd.ckpt",
            "inspect train_sgd.ckpt --json",
            "scan sample.pth train_sgd.ckpt",
            "scan train_sgd.ckpt --json",
            "inspect train_adam.pt",
            "scan whole_model.pt --all",
            "convert legacy.pth out.safetensors",
            "convert views.pth out.safetensors",
    })
    void loadsOnlyArchivedClassesAndLinksNoLambda(String command) throws Exception {
        Path dir = Files.createDirectories(work.resolve(command.replaceAll("[^A-Za-z0-9.]+", "-")));
        Path log = dir.resolve("class-load.log");
        List<Object> args = new ArrayList<>();
        for (String a : command.split(" ")) {
            boolean fixture = !a.startsWith("out") && (a.endsWith(".pth") || a.endsWith(".pt") || a.endsWith(".ckpt"));
            args.add(fixture ? Fixtures.file(a) : a.startsWith("out") ? dir.resolve(a) : a);
        }
        LaunchedCli.Result r = LaunchedCli.run(dir, dir.resolve("logs"),
                Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + log), TIMEOUT, "pthconvert", args.toArray());
        // scan reports in its exit code what it found: a whole-model pickle imports code (3).
        assertEquals(command.startsWith("scan whole_model") ? ExitCode.DANGEROUS : ExitCode.OK, r.exitCode(),
                r.describe());

        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> lambdas = new ArrayList<>();
        List<String> regex = new ArrayList<>();
        List<String> notArchived = new ArrayList<>();
        for (String line : lines) {
            if (line.contains("$$Lambda")) {
                lambdas.add(line);
            }
            if (line.contains(" java.util.regex.")) {
                regex.add(line);
            }
            if (!line.contains("source: shared objects file")) {
                notArchived.add(line);
            }
        }
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(lines.size() > 300, "the class-loading log looks empty: " + lines.size() + " lines"));
        checks.add(() -> assertEquals(List.of(), lambdas, "lambdas linked on the start path"));
        checks.add(() -> assertEquals(List.of(), regex, "regular expressions on the start path"));
        checks.add(() -> assertEquals(List.of(), notArchived,
                "classes loaded from outside the class-data archive (is cli/target/pthconvert.jsa stale?)"));
        assertAll(command, checks);
    }

    /**
     * No method arrives from the archive already marked "queued for compilation". JDK 17's
     * dynamic dump keeps that flag as it stood at the recording run's exit (JDK-8306460, fixed in 21),
     * and a method carrying it is never compiled: the policy takes it for queued and waits. The build
     * records the archive interpreted only ({@code -Xint}, cli/pom.xml), so nothing can be queued then.
     * Read from the compilation policy's own log: a method reported as in the queue before the policy
     * ever asked to compile it came that way from the archive.
     */
    @Test
    void noMethodArrivesFromTheArchiveQueuedForCompilation() throws Exception {
        Path dir = Files.createDirectories(work.resolve("tiered-events"));
        LaunchedCli.Result r = LaunchedCli.run(dir, dir.resolve("logs"),
                Map.of("JAVA_OPTS", "-XX:+UnlockDiagnosticVMOptions -XX:+PrintTieredEvents"), TIMEOUT,
                "pthconvert", "convert", Fixtures.file("train_adam.pt"), dir.resolve("out.safetensors"), "--quiet");
        assertEquals(ExitCode.OK, r.exitCode(), r.describe());
        Set<String> askedToCompile = new HashSet<>();
        Set<String> queuedUnasked = new TreeSet<>();
        int ours = 0;
        int oursAskedToCompile = 0;
        for (String line : r.stdout().split("\n")) {
            // 0.205774: [call level=0 [org.pthconvert...Unpickler.execute(L...;)V] @-1 queues=4,0 ... status=in-queue]
            int open = line.indexOf(": [");
            int method = line.indexOf(" [", open + 3);
            int end = method < 0 ? -1 : line.indexOf(']', method);
            if (open < 0 || end < 0) {
                continue;
            }
            String kind = line.substring(open + 3, line.indexOf(' ', open + 3));
            String name = line.substring(method + 2, end);
            if (name.startsWith("org.pthconvert.")) {
                ours++;
            }
            if (kind.equals("compile")) {
                askedToCompile.add(name);
                if (name.startsWith("org.pthconvert.")) {
                    oursAskedToCompile++;
                }
            } else if (line.contains("status=in-queue") && !askedToCompile.contains(name)) {
                queuedUnasked.add(name);
            }
        }
        // How many events the policy reports depends on how soon compilations finish, so on the load
        // beside the test: 100-140 for our methods on 2 busy cores, 20-30 of them "compile". The floor
        // only asks whether the log still reads as this parser expects.
        assertTrue(ours >= 10 && oursAskedToCompile >= 1, "the compilation policy reported " + ours
                + " events for our methods, " + oursAskedToCompile + " of them compile requests; "
                + "has -XX:+PrintTieredEvents changed its output?\n" + r.describe());
        assertEquals(Set.of(), queuedUnasked, "methods marked as queued for compilation in the class-data "
                + "archive, so never compiled (record it with -Xint)");
    }
}
