package org.pthconvert.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fixtures made by {@code testdata/generate.py} and their expected values.
 *
 * <p>The folders are found by walking up from the working directory (Maven runs each module's tests
 * with the module folder as working directory) to the first folder that holds
 * {@code testdata/fixtures/manifest.tsv}. The system property {@value #ROOT_PROPERTY} names the
 * fixtures folder explicitly and wins.
 *
 * <p>All TSV files are UTF-8, tab-separated, with one header line and no quoting. Parsed files are
 * cached; the returned lists are unmodifiable.
 */
public final class Fixtures {

    /** System property naming the {@code fixtures} folder, overriding the search. */
    public static final String ROOT_PROPERTY = "pthconvert.fixtures";

    /** The two selections the manifest lists. */
    public static final String SELECT_AUTO = "auto";
    /** Every tensor in the file. */
    public static final String SELECT_ALL = "all";

    private static final Map<String, List<String[]>> CACHE = new ConcurrentHashMap<>();
    private static volatile Path root;

    private Fixtures() {
    }

    // ------------------------------------------------------------------------------------ records

    /**
     * One expected output tensor.
     *
     * @param file   fixture file name relative to {@link #root()}
     * @param select {@value #SELECT_AUTO} or {@value #SELECT_ALL}
     * @param name   dotted tensor name the tool should produce
     * @param dtype  torch dtype name without {@code torch.} ({@code float32}, {@code bfloat16},
     *               {@code float8_e4m3fn}, {@code qint8}, ...)
     * @param shape  dimensions; empty for a 0-d tensor
     * @param sha256 lower-case hex SHA-256 of the C-contiguous little-endian bytes (quantized: of
     *               the integer representation)
     */
    public record ManifestRow(String file, String select, String name, String dtype, List<Long> shape,
                              String sha256) {
        public ManifestRow {
            shape = List.copyOf(shape);
        }

        /** Number of elements (1 for a 0-d tensor). */
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** The fixture file. */
        public Path path() {
            return root().resolve(file);
        }
    }

    /**
     * {@code sha256} of {@code t.to(target)} for tensor {@code name} of {@code file} (NaN lanes follow
     * the policy in fixtures/README.md).
     */
    public record CastRow(String file, String name, String target, String sha256) {
    }

    /** {@code sha256} of {@code t.float()} for tensor {@code name} of {@code file}. */
    public record WidenedRow(String file, String name, String sha256) {
    }

    /**
     * Quantization parameters of one quantized tensor.
     *
     * @param scheme     {@code per_tensor_affine} or {@code per_channel_affine}
     * @param scales     one scale (per tensor) or one per channel
     * @param zeroPoints one zero point (per tensor) or one per channel
     * @param axis       the channel axis, or -1 for per-tensor
     */
    public record QuantizedRow(String file, String name, String scheme, List<Double> scales,
                               List<Long> zeroPoints, int axis) {
        public QuantizedRow {
            scales = List.copyOf(scales);
            zeroPoints = List.copyOf(zeroPoints);
        }

        public boolean perChannel() {
            return axis >= 0;
        }
    }

    /** What the tool must do with a hostile file. */
    public enum Expect {
        /** Refused as code-running. */
        DANGEROUS,
        /** Readable, but the scan reports that the file imports code. */
        IMPORTS,
        /** Refused as broken. */
        INVALID;

        static Expect parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * One hostile file.
     *
     * @param keyword lower-case word the tool's error (or scan) line must contain, compared lower-cased
     */
    public record HostileRow(String file, Expect expect, String keyword) {
        /** The hostile file. */
        public Path path() {
            return hostileDir().resolve(file);
        }

        /** The marker file a payload of this file would create; it must never exist. */
        public Path marker() {
            return Path.of("/tmp/pthconvert-pwned-" + file.split("\\.", 2)[0]);
        }

        /** True when {@code message} contains the keyword, ignoring case. */
        public boolean matches(String message) {
            return message != null && message.toLowerCase(Locale.ROOT).contains(keyword);
        }
    }

    // ------------------------------------------------------------------------------------ folders

    /** The {@code testdata/fixtures} folder. */
    public static Path root() {
        Path r = root;
        if (r == null) {
            r = findRoot();
            root = r;
        }
        return r;
    }

    /** The {@code testdata/hostile} folder. */
    public static Path hostileDir() {
        return root().resolveSibling("hostile");
    }

    /** A fixture file, which must exist. */
    public static Path file(String name) {
        Path p = root().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("no fixture " + name + " in " + root());
        }
        return p;
    }

    /** A hostile file, which must exist. */
    public static Path hostile(String name) {
        Path p = hostileDir().resolve(name);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("no hostile file " + name + " in " + hostileDir());
        }
        return p;
    }

    private static Path findRoot() {
        String prop = System.getProperty(ROOT_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p.resolve("manifest.tsv"))) {
                throw new IllegalStateException(ROOT_PROPERTY + "=" + prop + " holds no manifest.tsv");
            }
            return p;
        }
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("testdata").resolve("fixtures"), dir.resolve("fixtures"))) {
                if (Files.isRegularFile(candidate.resolve("manifest.tsv"))) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("no testdata/fixtures/manifest.tsv above " + start
                + " (run .venv/bin/python testdata/generate.py, or set -D" + ROOT_PROPERTY + ")");
    }

    // ------------------------------------------------------------------------------------ manifest

    /** Every row of {@code manifest.tsv}, in file order. */
    public static List<ManifestRow> manifest() {
        return parse(root().resolve("manifest.tsv"), 6, c -> new ManifestRow(c[0], c[1], c[2], c[3], longs(c[4]), c[5]));
    }

    /** The manifest rows of one fixture file and selection, in file order. */
    public static List<ManifestRow> manifest(String file, String select) {
        return manifest().stream()
                .filter(r -> r.file().equals(file) && r.select().equals(select))
                .collect(Collectors.toUnmodifiableList());
    }

    /** The distinct fixture files the manifest lists, in file order. */
    public static List<String> manifestFiles() {
        return manifest().stream().map(ManifestRow::file).distinct().collect(Collectors.toUnmodifiableList());
    }

    // ------------------------------------------------------------------------------------ inputs (issue 16)

    /** The {@code testdata/inputs} folder: safetensors files, sharded and DCP folders (gen_inputs.py). */
    public static Path inputsDir() {
        return root().resolveSibling("inputs");
    }

    /** An input fixture (file or folder), which must exist. */
    public static Path input(String name) {
        Path p = inputsDir().resolve(name);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("no input fixture " + name + " in " + inputsDir());
        }
        return p;
    }

    /** Every row of {@code inputs/inputs.tsv} (the columns of manifest.tsv), in file order. */
    public static List<ManifestRow> inputs() {
        return parse(inputsDir().resolve("inputs.tsv"), 6, c -> new ManifestRow(c[0], c[1], c[2], c[3], longs(c[4]), c[5]));
    }

    // ------------------------------------------------------------------------------------ other TSVs

    /** Every row of {@code casts.tsv}. */
    public static List<CastRow> casts() {
        return parse(root().resolve("casts.tsv"), 4, c -> new CastRow(c[0], c[1], c[2], c[3]));
    }

    /** Every row of {@code widened.tsv}. */
    public static List<WidenedRow> widened() {
        return parse(root().resolve("widened.tsv"), 3, c -> new WidenedRow(c[0], c[1], c[2]));
    }

    /** Every row of {@code quantized.tsv}. */
    public static List<QuantizedRow> quantized() {
        return parse(root().resolve("quantized.tsv"), 6, c -> new QuantizedRow(c[0], c[1], c[2], doubles(c[3]),
                longs(c[4]), c[5].isEmpty() ? -1 : Integer.parseInt(c[5])));
    }

    /** Every row of {@code hostile/expected.tsv}. */
    public static List<HostileRow> hostileExpected() {
        return parse(hostileDir().resolve("expected.tsv"), 3, c -> new HostileRow(c[0], Expect.parse(c[1]), c[2]));
    }

    /** The folder of regression files kept from fuzzing: {@code testdata/hostile/regressions}. */
    public static Path regressionsDir() {
        return hostileDir().resolve("regressions");
    }

    /**
     * Every row of {@code hostile/regressions/expected.tsv} (same columns as {@code expected.tsv}), with
     * each file named {@code regressions/<name>} so that {@link HostileRow#path()} finds it; empty when
     * there is no such table.
     */
    public static List<HostileRow> hostileRegressions() {
        Path tsv = regressionsDir().resolve("expected.tsv");
        if (!Files.isRegularFile(tsv)) {
            return List.of();
        }
        return parse(tsv, 3, c -> new HostileRow("regressions/" + c[0], Expect.parse(c[1]), c[2]));
    }

    // ------------------------------------------------------------------------------------ parsing

    private static <T> List<T> parse(Path tsv, int columns, Function<String[], T> row) {
        List<String[]> cells = CACHE.computeIfAbsent(tsv.toAbsolutePath().toString(), k -> read(tsv, columns));
        List<T> out = new ArrayList<>(cells.size());
        for (String[] c : cells) {
            out.add(row.apply(c));
        }
        return Collections.unmodifiableList(out);
    }

    private static List<String[]> read(Path tsv, int columns) {
        List<String> lines;
        try {
            lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tsv, e);
        }
        if (lines.isEmpty()) {
            throw new IllegalStateException(tsv + " is empty (no header)");
        }
        if (lines.get(0).split("\t", -1).length != columns) {
            throw new IllegalStateException(tsv + ": header has not " + columns + " columns: " + lines.get(0));
        }
        List<String[]> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            String[] c = line.split("\t", -1);
            if (c.length != columns) {
                throw new IllegalStateException(tsv + " line " + (i + 1) + ": " + c.length + " columns, want " + columns);
            }
            rows.add(c);
        }
        return Collections.unmodifiableList(rows);
    }

    private static List<Long> longs(String csv) {
        if (csv.isEmpty()) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (String s : csv.split(",", -1)) {
            out.add(Long.parseLong(s));
        }
        return out;
    }

    private static List<Double> doubles(String csv) {
        if (csv.isEmpty()) {
            return List.of();
        }
        List<Double> out = new ArrayList<>();
        for (String s : csv.split(",", -1)) {
            out.add(Double.parseDouble(s));
        }
        return out;
    }

    /** Lower-case hex of a digest, to compare with the {@code sha256} columns. */
    public static String hex(byte[] digest) {
        Objects.requireNonNull(digest, "digest");
        StringBuilder sb = new StringBuilder(digest.length * 2);
        for (byte b : digest) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
