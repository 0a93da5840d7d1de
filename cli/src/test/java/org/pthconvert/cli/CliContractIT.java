package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Named;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.Expect;
import org.pthconvert.testdata.Fixtures.HostileRow;

/**
 * The command-line contract a script relies on, checked on the real launcher and jar: exit codes
 * (0 ok, 1 bad input, 2 usage, 3 scan found something dangerous), exactly one clear stderr line on
 * bad input and no Java stack trace, no output or temp file left behind by a failed run, and — over
 * the hostile corpus ({@code testdata/hostile/expected.tsv}) — no payload ever run (each would create
 * its marker file).
 *
 * <p>The hostile runs (convert to every built-in format, inspect, scan) start together in
 * {@link #startHostileRuns()}, two processes at a time; each parameterized test checks its results.
 * They run with a 256 MB heap: every hostile file is tiny, and a runaway allocation then fails in
 * seconds instead of taking the CI machine's memory.
 */
class CliContractIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Map<String, String> HOSTILE_ENV = Map.of("JAVA_OPTS", "-Xmx256m");
    private static final List<String> FORMATS = List.of("safetensors", "npz", "hdf5");

    private static Path work;
    private static Path logs;
    private static ExecutorService pool;
    private static final Map<String, Future<LaunchedCli.Result>> HOSTILE = new LinkedHashMap<>();
    private static final AtomicInteger DIRS = new AtomicInteger();

    @BeforeAll
    static void startHostileRuns() throws IOException {
        work = LaunchedCli.freshWork("contract");
        logs = work.resolve("logs");
        for (HostileRow row : Fixtures.hostileExpected()) {
            if (Files.deleteIfExists(row.marker())) {
                System.out.println("[contract] removed a stale marker " + row.marker() + " before the run");
            }
        }
        pool = Executors.newFixedThreadPool(2);
        for (HostileRow row : Fixtures.hostileExpected()) {
            for (String format : FORMATS) {
                Path dir = newDir(row.file() + "-convert-" + format);
                submit(key(row, "convert " + format), dir, HOSTILE_ENV, "pthconvert", "convert", row.path(),
                        dir.resolve("out." + format));
            }
            submit(key(row, "inspect"), newDir(row.file() + "-inspect"), HOSTILE_ENV, "pthconvert", "inspect",
                    row.path());
            submit(key(row, "scan"), newDir(row.file() + "-scan"), HOSTILE_ENV, "pthconvert", "scan", row.path());
        }
    }

    @AfterAll
    static void noPayloadRan() {
        if (pool != null) {
            pool.shutdownNow();
        }
        List<String> markers = new ArrayList<>();
        for (HostileRow row : Fixtures.hostileExpected()) {
            if (Files.exists(row.marker())) {
                markers.add(row.marker() + " (" + row.file() + ")");
            }
        }
        assertTrue(markers.isEmpty(), "a hostile payload ran: " + markers);
    }

    static Stream<Arguments> hostile() {
        return Fixtures.hostileExpected().stream().map(r -> Arguments.of(Named.of(r.file() + " (" + r.expect()
                .name().toLowerCase(Locale.ROOT) + ")", r)));
    }

    // ------------------------------------------------------------------------------------ hostile corpus

    @ParameterizedTest(name = "convert {0}")
    @MethodSource("hostile")
    void convertRefusesHostileFilesCleanly(HostileRow row) throws Exception {
        List<Executable> checks = new ArrayList<>();
        for (String format : FORMATS) {
            LaunchedCli.Result r = result(row, "convert " + format);
            if (row.expect() == Expect.IMPORTS) {
                // Readable: the weights convert (the scan is what warns about the imported class).
                checks.add(() -> assertEquals(0, r.exitCode(), r.describe()));
                checks.add(() -> assertEquals(List.of("out." + format), LaunchedCli.list(r.cwd()), r.describe()));
            } else {
                checks.add(() -> assertOneLineRefusal(r, row));
                checks.add(() -> assertEquals(List.of(), LaunchedCli.list(r.cwd()),
                        "a refused conversion left files behind\n" + r.describe()));
            }
        }
        checks.add(() -> assertFalse(Files.exists(row.marker()), "payload ran: " + row.marker()));
        assertAll(checks.stream());
    }

    @ParameterizedTest(name = "inspect {0}")
    @MethodSource("hostile")
    void inspectRefusesHostileFilesCleanly(HostileRow row) throws Exception {
        LaunchedCli.Result r = result(row, "inspect");
        if (row.expect() == Expect.IMPORTS) {
            assertAll(() -> assertEquals(0, r.exitCode(), r.describe()),
                    () -> assertTrue(r.stdout().contains("imports code"), "inspect should say 'imports code'\n"
                            + r.describe()),
                    () -> assertTrue(row.matches(r.stdout()), "inspect should name " + row.keyword() + "\n"
                            + r.describe()));
        } else {
            assertOneLineRefusal(r, row);
        }
        assertAll(() -> assertEquals(List.of(), LaunchedCli.list(r.cwd()), "inspect wrote files\n" + r.describe()),
                () -> assertFalse(Files.exists(row.marker()), "payload ran: " + row.marker()));
    }

    @ParameterizedTest(name = "scan {0}")
    @MethodSource("hostile")
    void scanGivesTheVerdict(HostileRow row) throws Exception {
        LaunchedCli.Result r = result(row, "scan");
        int want = switch (row.expect()) {
            case DANGEROUS -> ExitCode.DANGEROUS;
            case INVALID -> ExitCode.BAD_INPUT;
            case IMPORTS -> ExitCode.DANGEROUS; // importing a module runs it
        };
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(want, r.exitCode(), "scan of a " + row.expect() + " file\n" + r.describe()));
        checks.add(() -> assertNoTrace(r));
        checks.add(() -> assertFalse((r.stdout() + r.stderr()).contains("\u001b"), "terminal escape from the file "
                + "reached the terminal\n" + r.describe()));
        checks.add(() -> assertEquals(List.of(), LaunchedCli.list(r.cwd()), "scan wrote files\n" + r.describe()));
        checks.add(() -> assertFalse(Files.exists(row.marker()), "payload ran: " + row.marker()));
        if (row.expect() == Expect.IMPORTS) {
            checks.add(() -> assertTrue(r.stdout().contains("imports code"), "scan should say 'imports code'\n"
                    + r.describe()));
        }
        // The report names what it found: the dangerous global, the imported class, or the defect.
        checks.add(() -> assertTrue(row.matches(r.stdout() + r.stderr()), "scan output should contain '"
                + row.keyword() + "'\n" + r.describe()));
        assertAll(checks.stream());
    }

    // ------------------------------------------------------------------------------------ usage and bad input

    @Test
    void helpAndVersionExitZero() throws Exception {
        List<Executable> checks = new ArrayList<>();
        List<List<Object>> calls = List.of(List.of("pthconvert", "--help"), List.of("pthconvert", "--version"),
                List.of("pthconvert", "convert", "--help"), List.of("pthconvert", "inspect", "--help"),
                List.of("pthconvert", "scan", "--help"), List.of("pth2safetensors", "--help"),
                List.of("pth2npz", "--help"));
        for (List<Object> call : calls) {
            LaunchedCli.Result r = run(newDir("help"), Map.of(), call);
            checks.add(() -> assertEquals(0, r.exitCode(), r.describe()));
            checks.add(() -> assertFalse(r.stdout().isBlank(), "no help text\n" + r.describe()));
            checks.add(() -> assertEquals("", r.stderr(), r.describe()));
        }
        assertAll(checks.stream());
    }

    @Test
    void convertHelpNamesEveryFormat() throws Exception {
        LaunchedCli.Result r = run(newDir("help-formats"), Map.of(), List.of("pthconvert", "convert", "--help"));
        assertAll(FORMATS.stream().map(f -> () -> assertTrue(r.stdout().contains(f), f + " not in help\n"
                + r.describe())));
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path sample = fixture("sample.pth");
        List<List<Object>> calls = List.of(
                List.of("pthconvert"),
                List.of("pthconvert", "frobnicate"),
                List.of("pthconvert", "convert", sample),
                List.of("pthconvert", "convert", sample, "out.safetensors", "--no-such-option"),
                List.of("pthconvert", "convert", sample, "out.bin"),
                List.of("pthconvert", "convert", sample, "out.safetensors", "--to", "nosuchformat"),
                List.of("pthconvert", "convert", sample, "out.safetensors", "--dtype", "int8"),
                List.of("pthconvert", "convert", sample, "out", "--to", "safetensors", "--max-shard-size", "lots"),
                List.of("pthconvert", "convert", sample, "out.safetensors", "--metadata", "novalue"),
                List.of("pthconvert", "inspect"),
                List.of("pthconvert", "scan"),
                List.of("pth2npz", sample, "out.npz", "--no-such-option"));
        List<Executable> checks = new ArrayList<>();
        for (List<Object> call : calls) {
            Path dir = newDir("usage");
            LaunchedCli.Result r = run(dir, Map.of(), call);
            checks.add(() -> assertEquals(ExitCode.USAGE, r.exitCode(), r.describe()));
            checks.add(() -> assertFalse(r.stderrLines().isEmpty(), "no message\n" + r.describe()));
            checks.add(() -> assertTrue(!r.stderrLines().isEmpty() && r.stderrLines().get(0).startsWith("pthconvert: "),
                    "first stderr line should say 'pthconvert: ...'\n" + r.describe()));
            checks.add(() -> assertNoTrace(r));
            checks.add(() -> assertEquals(List.of(), LaunchedCli.list(dir), "files left\n" + r.describe()));
        }
        assertAll(checks.stream());
    }

    @Test
    void existingOutputIsNotTouchedWithoutForce() throws Exception {
        List<Executable> checks = new ArrayList<>();
        for (String format : FORMATS) {
            Path dir = newDir("exists-" + format);
            Path out = dir.resolve("model." + format);
            byte[] precious = "precious, not a tensor file".getBytes(StandardCharsets.UTF_8);
            Files.write(out, precious);
            FileTime old = FileTime.fromMillis(1_000_000_000_000L);
            Files.setLastModifiedTime(out, old);
            LaunchedCli.Result r = run(dir, Map.of(), List.of("pthconvert", "convert", fixture("sample.pth"), out));
            byte[] after = Files.readAllBytes(out);
            FileTime touched = Files.getLastModifiedTime(out);
            List<String> left = LaunchedCli.list(dir);
            checks.add(() -> assertEquals(ExitCode.BAD_INPUT, r.exitCode(), r.describe()));
            checks.add(() -> assertOneLine(r, "already exists"));
            checks.add(() -> assertTrue(r.stderr().contains("--force"), "should suggest --force\n" + r.describe()));
            checks.add(() -> assertArrayEquals(precious, after, "OUT was changed"));
            checks.add(() -> assertEquals(old, touched, "OUT was touched"));
            checks.add(() -> assertEquals(List.of("model." + format), left, "temp files left"));

            LaunchedCli.Result forced = run(dir, Map.of(), List.of("pthconvert", "convert", fixture("sample.pth"),
                    out, "--force", "-q"));
            byte[] replaced = Files.readAllBytes(out);
            List<String> leftForced = LaunchedCli.list(dir);
            checks.add(() -> assertEquals(0, forced.exitCode(), forced.describe()));
            checks.add(() -> assertFalse(Arrays.equals(precious, replaced), "--force did not replace OUT"));
            checks.add(() -> assertEquals(List.of("model." + format), leftForced, "temp files left"));
        }
        // A sharded output directory too.
        Path dir = newDir("exists-shards");
        Path shards = Files.createDirectory(dir.resolve("model"));
        Files.writeString(shards.resolve("keep.txt"), "keep");
        LaunchedCli.Result r = run(dir, Map.of(), List.of("pthconvert", "convert", fixture("sample.pth"), shards,
                "--to", "safetensors", "--max-shard-size", "1KB"));
        List<String> inside = LaunchedCli.list(shards);
        List<String> beside = LaunchedCli.list(dir);
        checks.add(() -> assertEquals(ExitCode.BAD_INPUT, r.exitCode(), r.describe()));
        checks.add(() -> assertOneLine(r, "already exists"));
        checks.add(() -> assertEquals(List.of("keep.txt"), inside, "the directory was changed"));
        checks.add(() -> assertEquals(List.of("model"), beside, "temp files left"));
        assertAll(checks.stream());
    }

    @Test
    void badInputIsOneLineAndLeavesNothing() throws Exception {
        record Case(String what, List<Object> call, String keyword) {
        }
        Path sample = fixture("sample.pth");
        List<Case> cases = List.of(
                new Case("empty selection", List.of("pthconvert", "convert", sample, "out.safetensors", "--select",
                        "nosuchkey"), "nosuchkey"),
                new Case("missing input", List.of("pthconvert", "convert", "no-such-file.pth", "out.safetensors"),
                        "no-such-file.pth"),
                new Case("missing output folder", List.of("pthconvert", "convert", sample,
                        "no/such/folder/out.safetensors"), "no/such/folder"),
                new Case("dtype the format lacks", List.of("pthconvert", "convert", fixture("dtypes.pth"),
                        "out.safetensors"), "'complex128'"),
                new Case("quantized tensor in npz", List.of("pthconvert", "convert", fixture("quantized.pth"),
                        "out.npz"), "quantized"),
                new Case("meta tensor", List.of("pthconvert", "convert", fixture("meta_tensor.pth"), "out.npz"),
                        "'weight'"),
                // fails after the temp file exists: np.load would confuse 'x' and 'x.npy'
                new Case("name clash found while writing", List.of("pthconvert", "convert",
                        fixture("unicode_names.pth"), "out.npz", "--skip-unsupported"), "x.npy"),
                new Case("missing input (inspect)", List.of("pthconvert", "inspect", "no-such-file.pth"),
                        "no-such-file.pth"),
                new Case("pth2safetensors on an empty file", List.of("pth2safetensors",
                        Fixtures.hostile("empty.pth"), "out.safetensors"), "empty"),
                new Case("pth2npz on an HTML page", List.of("pth2npz", Fixtures.hostile("html_page.pth"),
                        "out.npz"), "html"));
        List<Executable> checks = new ArrayList<>();
        for (Case c : cases) {
            Path dir = newDir("bad");
            LaunchedCli.Result r = run(dir, Map.of(), c.call());
            checks.add(() -> assertEquals(ExitCode.BAD_INPUT, r.exitCode(), c.what() + "\n" + r.describe()));
            checks.add(() -> assertOneLine(r, c.keyword()));
            checks.add(() -> assertEquals(List.of(), LaunchedCli.list(dir), c.what() + ": files left\n"
                    + r.describe()));
        }
        assertAll(checks.stream());
    }

    @Test
    void scanOfSeveralFilesReportsTheWorst() throws Exception {
        Path safe = fixture("sample.pth");
        LaunchedCli.Result ok = run(newDir("scan"), Map.of(), List.of("pthconvert", "scan", safe,
                fixture("state_dict.pth")));
        LaunchedCli.Result bad = run(newDir("scan"), Map.of(), List.of("pthconvert", "scan", safe,
                Fixtures.hostile("empty.pth")));
        LaunchedCli.Result danger = run(newDir("scan"), Map.of(), List.of("pthconvert", "scan", safe,
                Fixtures.hostile("empty.pth"), Fixtures.hostile("os_system_p2.pth")));
        assertAll(() -> assertEquals(ExitCode.OK, ok.exitCode(), ok.describe()),
                () -> assertTrue(ok.stdout().contains(": safe"), ok.describe()),
                () -> assertEquals(ExitCode.BAD_INPUT, bad.exitCode(), bad.describe()),
                () -> assertEquals(ExitCode.DANGEROUS, danger.exitCode(), danger.describe()),
                () -> assertTrue(danger.stdout().contains("os.system"), danger.describe()));
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Exit 1, exactly one stderr line containing the row's keyword, no stack trace. */
    private static void assertOneLineRefusal(LaunchedCli.Result r, HostileRow row) {
        assertAll(() -> assertEquals(ExitCode.BAD_INPUT, r.exitCode(), r.describe()),
                () -> assertEquals(1, r.stderrLines().size(), "want exactly one stderr line\n" + r.describe()),
                () -> assertTrue(row.matches(r.stderr()), "stderr should contain '" + row.keyword() + "'\n"
                        + r.describe()),
                () -> assertTrue(r.stderr().startsWith("pthconvert: "), r.describe()),
                () -> assertNoTrace(r));
    }

    /** Exactly one stderr line, containing {@code keyword} (ignoring case), no stack trace. */
    private static void assertOneLine(LaunchedCli.Result r, String keyword) {
        List<String> lines = r.stderrLines();
        assertAll(() -> assertEquals(1, lines.size(), "want exactly one stderr line\n" + r.describe()),
                () -> assertTrue(r.stderr().toLowerCase(Locale.ROOT).contains(keyword.toLowerCase(Locale.ROOT)),
                        "stderr should contain '" + keyword + "'\n" + r.describe()),
                () -> assertTrue(r.stderr().startsWith("pthconvert: "), r.describe()),
                () -> assertNoTrace(r));
    }

    private static void assertNoTrace(LaunchedCli.Result r) {
        assertFalse(r.stderr().contains("Exception") || r.stderr().contains("\tat ")
                        || r.stdout().contains("Exception"),
                "a Java exception or stack trace reached the user\n" + r.describe());
        assertFalse(r.timedOut(), "timed out\n" + r.describe());
    }

    private static Path fixture(String name) {
        return Fixtures.file(name);
    }

    private static String key(HostileRow row, String what) {
        return row.file() + " " + what;
    }

    private static Path newDir(String label) throws IOException {
        return Files.createDirectories(work.resolve(DIRS.incrementAndGet() + "-" + label.replaceAll("[^A-Za-z0-9._-]",
                "_")));
    }

    private static void submit(String key, Path dir, Map<String, String> env, String program, Object... args) {
        HOSTILE.put(key, pool.submit(() -> LaunchedCli.run(dir, logs, env, TIMEOUT, program, args)));
    }

    private static LaunchedCli.Result result(HostileRow row, String what) throws InterruptedException,
            ExecutionException {
        return HOSTILE.get(key(row, what)).get();
    }

    private static LaunchedCli.Result run(Path dir, Map<String, String> env, List<Object> call) throws Exception {
        return LaunchedCli.run(dir, logs, env, TIMEOUT, call.get(0).toString(),
                call.subList(1, call.size()).toArray());
    }
}
