package org.pthconvert.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs the real launchers ({@code bin/pthconvert}, {@code bin/pth2safetensors}, {@code bin/pth2npz})
 * as a script would, for the failsafe tests: the jar comes from the {@code pthconvert.jar} system
 * property (passed on as {@code PTHCONVERT_JAR}), every process has a timeout, and stdout/stderr go
 * to log files outside the process's working folder, so the folder shows exactly what the command
 * left behind.
 */
final class LaunchedCli {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private LaunchedCli() {
    }

    /** What one process did. */
    record Result(List<String> command, Path cwd, int exitCode, String stdout, String stderr, boolean timedOut) {

        /** Non-blank stderr lines. */
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }

        /** For assertion messages. */
        String describe() {
            return String.join(" ", command) + "\n  (in " + cwd + ")\n  exit " + (timedOut ? "TIMEOUT" : exitCode)
                    + "\n  --- stdout\n" + indent(stdout) + "\n  --- stderr\n" + indent(stderr);
        }

        private static String indent(String s) {
            String t = s.length() > 4000 ? s.substring(0, 4000) + "\n[... " + (s.length() - 4000) + " more chars]" : s;
            return t.lines().map(l -> "  | " + l).reduce((a, b) -> a + "\n" + b).orElse("  | (empty)");
        }
    }

    /** The repository root: the {@code pthconvert.root} system property, else found above the working folder. */
    static Path root() {
        String p = System.getProperty("pthconvert.root");
        if (p != null && !p.isBlank()) {
            return Path.of(p).toAbsolutePath().normalize();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("bin/pthconvert")) && Files.isDirectory(d.resolve("testdata"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (bin/pthconvert) above " + Path.of("").toAbsolutePath()
                + "; set -Dpthconvert.root");
    }

    /** The shaded jar under test; it must exist (failsafe runs after {@code package}). */
    static Path jar() {
        String p = System.getProperty("pthconvert.jar");
        Path jar = p != null && !p.isBlank() ? Path.of(p) : root().resolve("cli/target/pthconvert.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the CLI jar " + jar + " does not exist; run `mvn verify` (the ITs run "
                    + "after the shaded jar is built)");
        }
        return jar.toAbsolutePath().normalize();
    }

    /** A scratch folder for one test class under the build folder ({@code pthconvert.work}), emptied first. */
    static Path freshWork(String name) throws IOException {
        String p = System.getProperty("pthconvert.work");
        Path base = p != null && !p.isBlank() ? Path.of(p) : root().resolve("cli/target/it-work");
        Path dir = base.toAbsolutePath().normalize().resolve(name);
        deleteRecursively(dir);
        Files.createDirectories(dir);
        return dir;
    }

    static Path bin(String program) {
        return root().resolve("bin").resolve(program);
    }

    /**
     * Runs {@code bin/<program> args...} in {@code cwd}; its stdout and stderr are kept in files in
     * {@code logs}, never in {@code cwd}.
     */
    static Result run(Path cwd, Path logs, Map<String, String> env, Duration timeout, String program, Object... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin(program).toString());
        for (Object a : args) {
            cmd.add(a.toString());
        }
        int n = SEQ.incrementAndGet();
        Files.createDirectories(logs);
        Path out = logs.resolve(n + ".out");
        Path err = logs.resolve(n + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("PTHCONVERT_JAR", jar().toString());
        pb.environment().putAll(env);
        Process proc = pb.start();
        boolean done = proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            kill(proc);
        }
        return new Result(List.copyOf(cmd), cwd, done ? proc.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), !done);
    }

    /**
     * Runs a helper program (venv.sh, the Python checker) with its output merged and handed line by
     * line to {@code sink} as it comes; returns the exit code, or -1 after killing it on timeout.
     */
    static int stream(List<String> cmd, Path cwd, Map<String, String> env, Duration timeout, Consumer<String> sink)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process proc = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                sink.accept("(output stream broke: " + e + ")");
            }
        }, "stream-" + cmd.get(0));
        reader.setDaemon(true);
        reader.start();
        boolean done = proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            kill(proc);
        }
        reader.join(10_000);
        return done ? proc.exitValue() : -1;
    }

    private static void kill(Process proc) throws InterruptedException {
        proc.descendants().forEach(ProcessHandle::destroyForcibly);
        proc.destroyForcibly();
        proc.waitFor(10, TimeUnit.SECONDS);
    }

    /** Names in a folder, sorted. */
    static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }
}
