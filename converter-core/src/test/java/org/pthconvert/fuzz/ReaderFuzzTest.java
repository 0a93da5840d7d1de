package org.pthconvert.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.Scanner;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.testdata.Fixtures;

/**
 * Fuzzes the reader with mutants of every fixture and hostile file ({@link Mutator}): each mutant is
 * opened with {@link Checkpoint#open}; if it opens, every tensor's bytes are read (up to
 * {@value #MAX_READ} bytes per case: a valid expanded view can describe terabytes), the weights are
 * selected, and {@link Scanner#scan} audits it. Only {@link CheckpointException} may come out. Any
 * other Throwable (a RuntimeException, an OutOfMemoryError, a StackOverflowError), a case taking more
 * than {@value #CASE_TIMEOUT_MS} ms (twice in a row), or a case allocating more than
 * {@value #MAX_ALLOCATED} bytes of heap is a crash: the mutant goes to {@code <build>/fuzz-crashes/<sha>.pth}
 * with a {@code .txt} saying how it was made and what happened, and the test fails at the end listing
 * them. Crashes are never written into the sources: fix the reader, then keep the file as a named
 * regression in {@code testdata/hostile/regressions/} with a row in its {@code expected.tsv}.
 *
 * <p>In the suite the work is bounded, not the time: a fixed number of cases from a fixed seed, so
 * every build runs the same mutants however loaded the machine is. System properties:
 * {@code pthconvert.fuzz.cases} (default 1500), {@code pthconvert.fuzz.seconds} (a time budget
 * instead, for long runs: 1800), {@code pthconvert.fuzz.seed} (default fixed, so a run is repeatable on the same seeds; each
 * case has its own seed, printed with a crash), {@code pthconvert.buildDir} (default: the folder
 * above the test classes, i.e. {@code target} or {@code -Dbuild.dir}).
 */
class ReaderFuzzTest {
    /** A hang guard per case (cases take milliseconds); generous so a loaded machine is not a crash. */
    static final long CASE_TIMEOUT_MS = 30_000;
    static final long MAX_ALLOCATED = 1L << 30;
    /** Tensor bytes read per case, at most. */
    static final long MAX_READ = 256L << 20;
    private static final int KEEP_PER_SIGNATURE = 3;
    private static final int BIG_SEED = 64 * 1024;

    @Test
    void onlyCheckpointExceptionsComeOut() throws Exception {
        Long seconds = Long.getLong("pthconvert.fuzz.seconds");
        long cases = Long.getLong("pthconvert.fuzz.cases", 1500);
        long seed = Long.getLong("pthconvert.fuzz.seed", 0x70_7468L);
        Path build = buildDir();
        Path crashDir = build.resolve("fuzz-crashes");
        Files.createDirectories(build);
        Path work = Files.createTempDirectory(build, "fuzz-work-");
        Path caseFile = work.resolve("case.pth");
        List<Mutator.Seed> seeds = seeds();
        assertFalse(seeds.isEmpty(), "no seeds");
        Mutator mutator = new Mutator(seeds);
        Random master = new Random(seed);
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, List<String>> crashes = new LinkedHashMap<>();
        Map<String, Long> timeBySeed = new TreeMap<>();
        long iterations = 0;
        long start = System.nanoTime();
        long deadline = seconds == null ? Long.MAX_VALUE : start + TimeUnit.SECONDS.toNanos(seconds);
        try (Runner runner = new Runner()) {
            while (seconds != null ? System.nanoTime() < deadline : iterations < cases) {
                long caseSeed = master.nextLong();
                Random r = new Random(caseSeed);
                Mutator.Seed s = seeds.get(r.nextInt(seeds.size()));
                for (int i = 0; i < 3 && s.expensive() && r.nextInt(4) != 0; i++) {
                    s = seeds.get(r.nextInt(seeds.size())); // costly seeds are drawn less often
                }
                Mutator.Mutant m = mutator.mutate(s, r);
                Files.write(caseFile, m.bytes());
                long t0 = System.nanoTime();
                Outcome o = runner.run(caseFile);
                timeBySeed.merge(s.name(), System.nanoTime() - t0, Long::sum);
                if (o.crash() != null && o.crash() instanceof TimeoutException) {
                    o = runner.run(caseFile); // a busy machine: a real hang hangs again
                }
                iterations++;
                outcomes.merge(o.label(), 1, Integer::sum);
                if (o.crash() != null) {
                    String signature = signature(o.crash());
                    List<String> files = crashes.computeIfAbsent(signature, k -> new ArrayList<>());
                    if (files.size() < KEEP_PER_SIGNATURE) {
                        files.add(keep(crashDir, m, s, caseSeed, o));
                    } else {
                        files.add("(not kept)");
                    }
                }
            }
        } finally {
            deleteTree(work);
        }
        double took = (System.nanoTime() - start) / 1e9;
        System.out.printf("fuzz: seed %d, %d seeds, %d cases in %.0f s (%.0f/s); outcomes %s%n", seed, seeds.size(),
                iterations, took, iterations / took, outcomes);
        try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
            List<Path> markers = tmp.filter(p -> p.getFileName().toString().startsWith("pthconvert-pwned-")).toList();
            assertTrue(markers.isEmpty(), "a payload ran: " + markers);
        }
        System.out.println("fuzz: slowest seeds (total ms) " + timeBySeed.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .map(e -> e.getKey() + "=" + e.getValue() / 1_000_000).toList());
        StringBuilder report = new StringBuilder();
        crashes.forEach((sig, files) -> report.append("\n  ").append(files.size()).append("x ").append(sig)
                .append(" -> ").append(files.stream().filter(f -> !f.startsWith("(")).toList()));
        assertTrue(crashes.isEmpty(), crashes.size() + " distinct crashes in " + iterations + " cases (mutants in "
                + crashDir + "):" + report);
    }

    /** Every fixture and hostile file (regressions included). */
    static List<Mutator.Seed> seeds() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(Fixtures.root(), Fixtures.hostileDir())) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).filter(p -> {
                    String n = p.getFileName().toString();
                    return !n.endsWith(".tsv") && !n.endsWith(".md") && !n.endsWith(".py");
                }).sorted().forEach(files::add);
            }
        }
        List<Mutator.Seed> seeds = new ArrayList<>();
        for (Path p : files) {
            byte[] bytes = Files.readAllBytes(p);
            // Big seeds, and regressions (built to run up to a limit), make slow cases.
            boolean expensive = bytes.length > BIG_SEED || p.startsWith(Fixtures.regressionsDir());
            seeds.add(Mutator.load(p, bytes, expensive));
        }
        return seeds;
    }

    /** The build folder: -Dpthconvert.buildDir, else the folder holding the test classes. */
    static Path buildDir() throws URISyntaxException {
        String prop = System.getProperty("pthconvert.buildDir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        Path classes = Path.of(ReaderFuzzTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return classes.getParent();
    }

    /** What one case did: an outcome label, and the Throwable if it was a crash. */
    record Outcome(String label, Throwable crash, long allocated) {
    }

    /** Reads one file the way the tool does, in a worker thread that is abandoned if it hangs. */
    static final class Runner implements AutoCloseable {
        private ExecutorService executor;
        private Thread worker;

        Outcome run(Path file) throws InterruptedException {
            if (executor == null) {
                executor = Executors.newSingleThreadExecutor(task -> {
                    Thread t = new Thread(task, "fuzz-case");
                    t.setDaemon(true);
                    worker = t;
                    return t;
                });
            }
            Future<Outcome> f = executor.submit(() -> exercise(file));
            try {
                return f.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                abandon();
                return new Outcome("TIMEOUT", new TimeoutException("took more than " + CASE_TIMEOUT_MS + " ms"), -1);
            } catch (ExecutionException e) {
                return new Outcome("CRASH", e.getCause(), -1);
            }
        }

        @SuppressWarnings({"deprecation", "removal"})
        private void abandon() {
            executor.shutdownNow();
            Thread t = worker;
            try {
                if (t != null) {
                    t.stop(); // a runaway case must not keep burning a CPU for the rest of the run
                }
            } catch (UnsupportedOperationException ignored) {
                // newer JVMs: the daemon thread is left to finish
            }
            executor = null;
        }

        private static Outcome exercise(Path file) {
            long tid = Thread.currentThread().getId();
            long before = allocated(tid);
            String label;
            Throwable crash = null;
            try {
                try (Checkpoint ckpt = Checkpoint.open(file)) {
                    long[] total = {0};
                    for (TensorEntry t : ckpt.tensors()) {
                        var source = ckpt.source(t.view());
                        // A valid expanded view (stride 0) may describe terabytes over one element:
                        // converting it would write them all, which is no reader bug; reading is capped.
                        if (total[0] + source.byteLength() <= MAX_READ) {
                            source.forEachChunk(chunk -> total[0] += chunk.remaining());
                        }
                    }
                    NameRules.none().apply(WeightSelector.select(ckpt, Selection.parse("auto")));
                    label = "opened";
                } catch (CheckpointException e) {
                    label = e.reason().name();
                }
                ScanReport report = Scanner.scan(file);
                if (report == null) {
                    throw new AssertionError("Scanner.scan returned null");
                }
            } catch (Throwable t) {
                label = "CRASH";
                crash = t;
            }
            long used = allocated(tid) - before;
            if (crash == null && before >= 0 && used > MAX_ALLOCATED) {
                label = "MEMORY";
                crash = new OutOfMemoryError("the case allocated " + used + " bytes of heap (limit " + MAX_ALLOCATED
                        + ")");
            }
            return new Outcome(label, crash, used);
        }

        private static long allocated(long tid) {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean m) {
                return m.getThreadAllocatedBytes(tid);
            }
            return -1;
        }

        @Override
        public void close() {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    /** The crash's class and the first frame in our code: one line per distinct bug. */
    static String signature(Throwable t) {
        Throwable root = t;
        StringBuilder sb = new StringBuilder(root.getClass().getSimpleName());
        for (StackTraceElement e : root.getStackTrace()) {
            if (e.getClassName().startsWith("org.pthconvert") && !e.getClassName().contains(".fuzz.")) {
                sb.append(" at ").append(e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1))
                        .append('.').append(e.getMethodName()).append(':').append(e.getLineNumber());
                break;
            }
        }
        if (t instanceof TimeoutException || t.getMessage() != null && t.getMessage().startsWith("the case allocated")) {
            sb.append(": ").append(t.getMessage().replaceAll("\\d+ bytes", "N bytes"));
        }
        return sb.toString();
    }

    private static String keep(Path dir, Mutator.Mutant m, Mutator.Seed seed, long caseSeed, Outcome o)
            throws Exception {
        Files.createDirectories(dir);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.bytes());
        String name = Fixtures.hex(digest).substring(0, 16);
        Path file = dir.resolve(name + ".pth");
        Files.write(file, m.bytes());
        StringWriter trace = new StringWriter();
        o.crash().printStackTrace(new PrintWriter(trace));
        Files.writeString(dir.resolve(name + ".txt"), "seed file: " + seed.name() + "\ncase seed: " + caseSeed
                + "\nmutation: " + m.how() + "\noutcome: " + o.label() + "\n\n" + trace, StandardCharsets.UTF_8);
        return file.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
