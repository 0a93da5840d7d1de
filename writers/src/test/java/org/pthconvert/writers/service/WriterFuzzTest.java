package org.pthconvert.writers.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.tensor.Shape;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.Tensors;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.Writers;

/**
 * The writers under names and shapes a file may hold: many dotted parts, empty parts, '/', NUL,
 * unpaired surrogates, long segments, names that are prefixes of others or differ by ".npy", reserved
 * group names, 0-d, empty and 64-dimension tensors, every plain dtype. Each case is a checkpoint made by
 * the pth writer, converted to every format with random options. Only {@link CheckpointException} may
 * come out; a conversion may allocate at most {@value #MAX_ALLOCATED} bytes; safetensors and pth outputs
 * are read back and must hold the source's bytes under the source's names. The reader has its own fuzzer
 * ({@code ReaderFuzzTest}), which writes nothing. This one, when written, found the pth writer turning a
 * lone surrogate in a name into '?', the ONNX writer doing the same with a stack trace on stderr, and
 * refusals that repeated names of hundreds of characters; it would have found the HDF5 writer running
 * out of heap on a name of 20,000 parts.
 *
 * <p>Work is bounded, not time: a fixed number of cases from a fixed seed ({@code -Dwriterfuzz.cases},
 * {@code -Dwriterfuzz.seed} for more).
 */
class WriterFuzzTest {
    private static final long MAX_ALLOCATED = 256L << 20;
    private static final String[] OUTPUTS = {"out.safetensors", "out.npz", "out.h5", "out.pth", "out.onnx"};

    @TempDir
    Path dir;

    @Test
    void everyFormatGivesAResultOrAClearRefusal() throws Exception {
        int cases = Integer.getInteger("writerfuzz.cases", 120);
        Random master = new Random(Long.getLong("writerfuzz.seed", 20261203L));
        ConversionService service = ConversionService.standard();
        List<Dtype> dtypes = new ArrayList<>();
        for (Dtype d : Dtype.values()) {
            if (d.kind() != Dtype.Kind.QUANTIZED) {
                dtypes.add(d);
            }
        }
        int converted = 0;
        int refused = 0;
        for (int c = 0; c < cases; c++) {
            long seed = master.nextLong();
            Random r = new Random(seed);
            Tensors t = new Tensors();
            List<String> names = new ArrayList<>();
            for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
                String name = name(r, names);
                if (!names.contains(name)) {
                    names.add(name);
                    Dtype d = dtypes.get(r.nextInt(dtypes.size()));
                    t.add(name, d, shape(r), r.nextInt());
                }
            }
            Path caseDir = Files.createDirectories(dir.resolve("case" + c));
            Path source = caseDir.resolve("in.pth");
            try {
                t.writeAll(Writers.standard().byName("pth"), source, WriteOptions.DEFAULTS);
            } catch (CheckpointException e) {
                continue;   // names or dtypes the pth writer itself refuses: nothing to convert
            }
            for (String output : OUTPUTS) {
                ConversionOptions opts = ConversionOptions.defaults().withDedupe(r.nextBoolean())
                        .withSkipUnsupported(r.nextBoolean());
                Path out = caseDir.resolve(output);
                String what = "case " + c + " (seed " + seed + ") to " + output + " with " + opts + ": "
                        + describe(names);
                try {
                    ConversionResult result = convertBounded(service, ConversionRequest.of(source, out).withOptions(opts), what);
                    converted++;
                    if (!opts.skipUnsupported() && !opts.dedupe()
                            && (output.endsWith(".safetensors") || output.endsWith(".pth"))) {
                        readBack(out, t, what);
                    }
                    assertTrue(result.tensors() <= names.size(), what);
                } catch (InvalidRequestException e) {
                    refused++;
                } catch (CheckpointException e) {
                    refused++;
                    assertTrue(e.getMessage().indexOf('\n') < 0, what + ": refusal of more than one line: " + e.getMessage());
                    assertTrue(e.getMessage().length() < 2000, what + ": refusal of " + e.getMessage().length() + " characters: " + e.getMessage());
                }
            }
            OutputFiles.deleteRecursively(caseDir);
        }
        System.out.printf("writer fuzz: %d cases, %d conversions, %d refused%n", cases, converted, refused);
        assertTrue(converted > cases && refused > cases / 4, converted + " converted, " + refused + " refused");
    }

    private static ConversionResult convertBounded(ConversionService service, ConversionRequest request, String what)
            throws Exception {
        return assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            long before = allocated();
            try {
                ConversionResult r = service.convert(request);
                long used = allocated() - before;
                assertTrue(used < MAX_ALLOCATED, what + ": allocated " + used + " bytes");
                return r;
            } catch (CheckpointException e) {
                long used = allocated() - before;
                assertTrue(used < MAX_ALLOCATED, what + ": allocated " + used + " bytes before refusing");
                throw e;
            } catch (InvalidRequestException e) {
                throw e;   // the options themselves refused for this format (npz cannot record --dedupe)
            } catch (RuntimeException | Error e) {
                throw new AssertionError(what + ": " + e, e);
            }
        }, what);
    }

    /** The output holds every source tensor, by name, with its bytes. */
    private static void readBack(Path out, Tensors source, String what) throws Exception {
        try (Checkpoint back = Checkpoint.open(out)) {
            List<String> got = new ArrayList<>();
            for (TensorEntry e : back.tensors()) {
                got.add(e.name());
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                back.source(e.view()).forEachChunk(chunk -> {
                    byte[] b = new byte[chunk.remaining()];
                    chunk.get(b);
                    bytes.write(b, 0, b.length);
                });
                assertArrayEquals(source.bytes(e.name()), bytes.toByteArray(), what + ": bytes of " + e.name());
            }
            List<String> want = new ArrayList<>();
            source.specs().forEach(s -> want.add(s.name()));
            assertEquals(want.stream().sorted().toList(), got.stream().sorted().toList(), what);
        }
    }

    private static String name(Random r, List<String> earlier) {
        String prev = earlier.isEmpty() ? "w" : earlier.get(r.nextInt(earlier.size()));
        return switch (r.nextInt(14)) {
            case 0, 1 -> "layers." + r.nextInt(40) + "." + (r.nextBoolean() ? "weight" : "bias");
            case 2 -> "a.".repeat(1 + r.nextInt(r.nextBoolean() ? 100 : 20_000)) + "w";
            case 3 -> "a." + "x".repeat(240 + r.nextInt(30));
            case 4 -> "é".repeat(r.nextInt(200)) + ".ü\uD83D\uDE00";
            case 5 -> List.of("a..b", ".a", "a.", "", ".", "..", "a.b.").get(r.nextInt(7));
            case 6 -> List.of("x/y", "n\0ul", "bad\uD800", "../up", "C:\\w").get(r.nextInt(5));
            case 7 -> prev + "." + (char) ('a' + r.nextInt(3));
            case 8 -> prev + ".npy";
            case 9 -> List.of("_unplaced", "_unplaced.0", "_unplaced_2", "__metadata__").get(r.nextInt(4));
            case 10 -> "\uD83D\uDE00".repeat(1 + r.nextInt(200));
            case 11 -> "n".repeat(60_000 + r.nextInt(10_000));
            case 12 -> prev.contains(".") ? prev.substring(0, prev.lastIndexOf('.')) : prev + "-";
            default -> "t" + r.nextInt(1000);
        };
    }

    private static Shape shape(Random r) {
        int rank = r.nextInt(10) == 0 ? 30 + r.nextInt(35) : r.nextInt(5);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = rank > 8 ? 1 : r.nextInt(4);
        }
        return Shape.of(dims);
    }

    private static String describe(List<String> names) {
        List<String> shown = new ArrayList<>();
        for (String n : names) {
            shown.add(n.length() <= 40 ? n : n.substring(0, 30) + "... (" + n.length() + " chars)");
        }
        return shown.toString();
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
