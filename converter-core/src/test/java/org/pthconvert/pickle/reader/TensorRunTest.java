package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.torch.PStorage;
import org.pthconvert.torch.PTensor;
import org.pthconvert.torch.hooks.TorchHooks;

/**
 * {@link TensorRun} must be invisible: every pickle reads to the same values (with the same sharing),
 * the same audit, storages and problems, the same error at the same offset, and the same length,
 * whether its tensors are read as runs or one opcode at a time. Checked on every fixture and hostile
 * file, on pickles built around the run's edges, and on thousands of mutants of real state dicts.
 */
class TensorRunTest {
    private static final Path TESTDATA = Path.of(System.getProperty("basedir", ".")).resolve("../testdata").normalize();

    /** Every pickle in the fixtures and the hostile corpus: zip records ending in .pkl, else the file. */
    static Stream<Object[]> pickles() throws IOException {
        List<Object[]> out = new ArrayList<>();
        for (String dir : List.of("fixtures", "hostile")) {
            try (Stream<Path> files = Files.list(TESTDATA.resolve(dir))) {
                for (Path f : files.sorted().toList()) {
                    String n = f.getFileName().toString();
                    if (n.endsWith(".md") || n.endsWith(".tsv") || Files.isDirectory(f)) {
                        continue;
                    }
                    byte[] head = Files.readAllBytes(f);
                    List<byte[]> records = zipPickles(f);
                    if (records == null) {
                        out.add(new Object[] {dir + "/" + n, head});
                    } else {
                        for (int i = 0; i < records.size(); i++) {
                            out.add(new Object[] {dir + "/" + n + "#" + i, records.get(i)});
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    /** The .pkl records of a zip, or null when it is not one java.util.zip can read. */
    private static List<byte[]> zipPickles(Path f) {
        try (ZipFile z = new ZipFile(f.toFile())) {
            List<byte[]> out = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().endsWith(".pkl") && entry.getSize() < (64 << 20)) {
                    try (InputStream in = z.getInputStream(entry)) {
                        byte[] b = in.readNBytes((64 << 20) + 1); // a deflate bomb is not read whole
                        if (b.length <= (64 << 20)) {
                            out.add(b);
                        }
                    }
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pickles")
    void everyPickleReadsTheSameAsRunsAndOneByOne(String name, byte[] data) {
        // A legacy file is several pickles in a row: each is compared, up to the first that fails.
        long at = 0;
        for (int i = 0; i < 6 && at < data.length; i++) {
            Outcome runs = read(data, at, true, null);
            Outcome single = read(data, at, false, null);
            assertEquals(single.text, runs.text, name + " pickle " + i);
            if (runs.consumed <= 0) {
                break;
            }
            at += runs.consumed;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pickles")
    void withTheMemoTheScanKeeps(String name, byte[] data) {
        BitSet used;
        try {
            used = MemoUse.scan(new ByteArrayInputStream(data));
        } catch (IOException | RuntimeException e) {
            return; // not a pickle the scan reads: the plain comparison above covers it
        }
        assertEquals(read(data, 0, false, used).text, read(data, 0, true, used).text, name);
    }

    @Test
    void aStateDictIsReadAsRuns() throws IOException {
        byte[] pkl = zipPickles(TESTDATA.resolve("fixtures/sample.pth")).get(0);
        Unpickler u = new Unpickler(new TorchHooks(Path.of("sample.pth"), Pk.RECORD), PickleLimits.DEFAULTS, Pk.RECORD);
        PickleValue root;
        try {
            root = u.load(new ByteArrayInputStream(pkl));
        } catch (CheckpointException e) {
            throw new AssertionError(e);
        }
        int tensors = countTensors(root);
        assertTrue(tensors > 0);
        // The first tensor names the rebuild function and its storage class with GLOBAL, inline; every
        // later one refers back to them and is one run.
        assertEquals(tensors - 1, u.runsTaken(), "every tensor of the sample but the first is read as one run");
    }

    @Test
    void runsAtEveryEdgeReadAsOneByOne() {
        // Ranks 0-5 (EMPTY_TUPLE, TUPLE1-3, MARK ... TUPLE), every int width, LONG_BINPUT/LONG_BINGET,
        // NEWTRUE, missing BINPUTs, a long key (left to one by one), a run that BINGETs what it stored.
        List<byte[]> runs = new ArrayList<>();
        Random r = new Random(42);
        RunBuilder builder = new RunBuilder();
        for (int rank = 0; rank <= 5; rank++) {
            for (int variant = 0; variant < 8; variant++) {
                runs.add(builder.run(r, rank, variant));
            }
        }
        byte[] pkl = stateDict(runs);
        Outcome single = read(pkl, 0, false, null);
        Outcome viaRuns = read(pkl, 0, true, null);
        assertEquals(single.text, viaRuns.text);
        assertFalse(single.text.startsWith("error"), single.text);
        assertTrue(viaRuns.taken > 30, "most edge runs are taken: " + viaRuns.taken);
        // Through a stream that gives a few bytes per read, runs cross buffer refills.
        assertEquals(single.text, read(pkl, 0, true, null, 7).text);
    }

    @Test
    void limitsReachedInsideARunFailAsOneByOne() {
        List<byte[]> runs = new ArrayList<>();
        Random r = new Random(7);
        RunBuilder builder = new RunBuilder();
        for (int i = 0; i < 12; i++) {
            runs.add(builder.run(r, i % 5, i % 3 == 2 ? 2 : i % 2));
        }
        byte[] pkl = stateDict(runs);
        List<PickleLimits> limits = new ArrayList<>();
        for (long bytes = 200; bytes < 6000; bytes += 37) {
            limits.add(PickleLimits.DEFAULTS.withMaxBuiltBytes(bytes));
        }
        for (int items = 1; items < 20; items++) {
            limits.add(PickleLimits.DEFAULTS.withMaxStackItems(items));
        }
        for (int marks = 1; marks < 5; marks++) {
            limits.add(PickleLimits.DEFAULTS.withMaxMarkDepth(marks));
        }
        for (long entries = 1; entries < 120; entries += 3) {
            limits.add(PickleLimits.DEFAULTS.withMaxMemoEntries(entries));
        }
        for (long length = 100; length < pkl.length; length += 29) {
            limits.add(PickleLimits.DEFAULTS.withMaxPickleBytes(length));
        }
        int failed = 0;
        for (PickleLimits l : limits) {
            Outcome single = read(pkl, 0, false, null, Integer.MAX_VALUE, l);
            assertEquals(single.text, read(pkl, 0, true, null, Integer.MAX_VALUE, l).text, l.toString());
            failed += single.text.startsWith("error LIMIT") ? 1 : 0;
        }
        assertTrue(failed > limits.size() / 2, "most of these limits are reached: " + failed);
        // And a pickle that ends anywhere, inside a run or between two.
        for (int length = 0; length < pkl.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(pkl, length);
            assertEquals(read(cut, 0, false, null).text, read(cut, 0, true, null).text, "cut at " + length);
        }
    }

    @Test
    void mutantsOfRealStateDictsReadTheSame() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String f : List.of("sample.pth", "tied.pth", "dtypes.pth", "proto4.pth")) {
            Path p = TESTDATA.resolve("fixtures").resolve(f);
            if (Files.exists(p)) {
                seeds.add(zipPickles(p).get(0));
            }
        }
        RunBuilder builder = new RunBuilder();
        seeds.add(stateDict(List.of(builder.run(new Random(1), 2, 0), builder.run(new Random(2), 1, 1),
                builder.run(new Random(3), 3, 2))));
        assertTrue(seeds.size() >= 3, "seed pickles found");
        // More, or others, on demand: -Dtensorrun.mutants=200000 -Dtensorrun.seed=N (CI runs the default).
        int mutants = Integer.getInteger("tensorrun.mutants", 4000);
        Random random = new Random(Long.getLong("tensorrun.seed", 20261203L));
        int compared = 0;
        int errors = 0;
        for (int i = 0; i < mutants; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] m = seed.clone();
            int edits = 1 + random.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int at = random.nextInt(m.length);
                m[at] = switch (random.nextInt(4)) {
                    case 0 -> (byte) random.nextInt(256);
                    case 1 -> (byte) (m[at] ^ (1 << random.nextInt(8)));
                    case 2 -> (byte) (m[at] + 1);
                    default -> OPCODES[random.nextInt(OPCODES.length)];
                };
            }
            Outcome single = read(m, 0, false, null);
            Outcome runs = read(m, 0, true, null);
            assertEquals(single.text, runs.text, "mutant " + i);
            compared++;
            if (single.text.startsWith("error")) {
                errors++;
            }
        }
        assertEquals(mutants, compared);
        assertTrue(errors > mutants / 40 && errors < mutants, "mutants both fail and succeed: " + errors);
    }

    private static final byte[] OPCODES = {'(', 'h', 'j', 'q', 'r', 'X', 'J', 'K', 'M', 't', (byte) 0x85,
            (byte) 0x86, (byte) 0x87, ')', 'Q', (byte) 0x88, (byte) 0x89, 'R', '0', '.'};

    // --- building pickles ---

    /** A protocol-2 OrderedDict of the given tensor runs, each keyed 'w<i>', as torch writes one. */
    private static byte[] stateDict(List<byte[]> runs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Pk.of("\u0080\u0002ccollections\nOrderedDict\nq\u0000)Rq\u0001(",
                "ctorch._utils\n_rebuild_tensor_v2\nq\u0002", "0", // memo 2: the rebuild function, popped
                "X\u0007\u0000\u0000\u0000storageq\u0003", "0",
                "ctorch\nFloatStorage\nq\u0004", "0",
                "X\u0003\u0000\u0000\u0000cpuq\u0005", "0"));
        for (int i = 0; i < runs.size(); i++) {
            byte[] name = ("w" + i).getBytes();
            out.writeBytes(Pk.of("X", Pk.u32(name.length), name));
            out.writeBytes(runs.get(i));
        }
        out.writeBytes(Pk.of("u."));
        return out.toByteArray();
    }

    /**
     * Builds tensor runs whose memo indices follow on from one another: {@code rank} dims, and a
     * {@code variant} that picks encodings and irregularities.
     */
    private static final class RunBuilder {
        private int memoIndex = 10;

        byte[] run(Random r, int rank, int variant) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            boolean longForms = variant % 2 == 1;
            o.writeBytes(get(2, longForms));
            o.writeBytes(Pk.of("((", get(3, false), get(4, longForms)));
            String key = (variant == 5 ? "k".repeat(300) : "") + memoIndex;
            byte[] kb = key.getBytes();
            o.writeBytes(Pk.of("X", Pk.u32(kb.length), kb));
            int keyMemo = memoIndex++;
            o.writeBytes(put(keyMemo, longForms));
            // variant 7 reads its location from the entry it stored its key in: left to one by one.
            o.writeBytes(variant == 7 ? get(keyMemo, false) : get(5, false));
            long[] dims = new long[rank];
            long numel = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = 1 + r.nextInt(3);
                numel *= dims[i];
            }
            o.writeBytes(integer(numel + (variant == 3 ? 70_000 : variant == 4 ? 300 : 0)));
            o.writeBytes(Pk.of("t"));
            if (variant != 2) {
                o.writeBytes(put(memoIndex++, longForms));
            }
            o.writeBytes(Pk.of("Q", integer(variant == 6 ? 1 : 0)));
            o.writeBytes(tuple(dims, variant == 7));
            int sizeMemo = memoIndex++;
            if (rank > 0) {
                o.writeBytes(put(sizeMemo, longForms));
            }
            long[] strides = new long[rank];
            long s = 1;
            for (int i = rank - 1; i >= 0; i--) {
                strides[i] = s;
                s *= dims[i];
            }
            o.writeBytes(tuple(strides, false));
            if (rank > 0) {
                o.writeBytes(put(memoIndex++, longForms));
            }
            o.writeBytes(Pk.of(variant == 1 ? 0x88 : 0x89));
            o.writeBytes(get(0, longForms));
            o.writeBytes(Pk.of(")R"));
            o.writeBytes(put(memoIndex++, longForms));
            o.writeBytes(Pk.of("t"));
            o.writeBytes(put(memoIndex++, longForms));
            o.writeBytes(Pk.of("R"));
            if (variant != 2) {
                o.writeBytes(put(memoIndex++, longForms));
            }
            return o.toByteArray();
        }
    }

    private static byte[] get(long index, boolean longForm) {
        return longForm || index > 255 ? Pk.of("j", Pk.u32(index)) : Pk.of("h", (int) index);
    }

    private static byte[] put(long index, boolean longForm) {
        return longForm || index > 255 ? Pk.of("r", Pk.u32(index)) : Pk.of("q", (int) index);
    }

    private static byte[] integer(long v) {
        if (v < 256) {
            return Pk.of("K", (int) v);
        }
        if (v < 65536) {
            return Pk.of("M", (int) (v & 0xff), (int) (v >> 8));
        }
        return Pk.of("J", Pk.u32(v));
    }

    private static byte[] tuple(long[] dims, boolean marked) {
        if (dims.length == 0) {
            return Pk.of(")");
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        boolean mark = marked || dims.length > 3;
        if (mark) {
            o.write('(');
        }
        for (long d : dims) {
            o.writeBytes(integer(d));
        }
        o.write(mark ? 't' : 0x84 + dims.length);
        return o.toByteArray();
    }

    // --- reading and comparing ---

    private record Outcome(String text, long consumed, int taken) {
    }

    private static Outcome read(byte[] data, long from, boolean runs, BitSet keep) {
        return read(data, from, runs, keep, Integer.MAX_VALUE);
    }

    /** Reads one pickle at {@code from} and renders all it made and recorded, or its error. */
    private static Outcome read(byte[] data, long from, boolean runs, BitSet keep, int chunk) {
        return read(data, from, runs, keep, chunk, PickleLimits.DEFAULTS);
    }

    private static Outcome read(byte[] data, long from, boolean runs, BitSet keep, int chunk, PickleLimits limits) {
        TorchHooks hooks = new TorchHooks(Path.of("x.pth"), Pk.RECORD, limits);
        Unpickler u = new Unpickler(hooks, limits, Pk.RECORD, from);
        if (!runs) {
            u.oneByOne();
        }
        if (keep != null) {
            u.keepingMemo(keep);
        }
        InputStream in = new ByteArrayInputStream(data, (int) from, data.length - (int) from);
        if (chunk < Integer.MAX_VALUE) {
            in = new FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, chunk));
                }
            };
        }
        StringBuilder sb = new StringBuilder();
        long consumed;
        try {
            PickleValue v = u.load(in);
            consumed = u.bytesConsumed();
            new Renderer(sb).value(v);
        } catch (CheckpointException e) {
            consumed = -1;
            sb.append("error ").append(e.reason()).append(' ').append(e.offset()).append(' ').append(e.getMessage());
        } catch (MemoUse.Missed e) {
            consumed = -1;
            sb.append("missed ").append(e.getMessage());
        } catch (IOException | RuntimeException e) {
            consumed = -1;
            sb.append("exception ").append(e);
        }
        sb.append("\naudit:");
        for (AuditEntry e : hooks.audit().entries()) {
            sb.append(' ').append(e);
        }
        sb.append("\nstorages: ").append(new TreeMap<>(hooks.storages()));
        sb.append("\nproblems: ").append(hooks.problems().size()).append(" per-channel: ").append(hooks.perChannel().size());
        CheckpointException refusal = hooks.refusal();
        sb.append("\nrefusal: ").append(refusal == null ? "none" : refusal.getMessage());
        sb.append("\nconsumed: ").append(consumed);
        return new Outcome(sb.toString(), consumed, u.runsTaken());
    }

    private static int countTensors(PickleValue v) {
        int[] n = {0};
        new Renderer(new StringBuilder()) {
            @Override
            void onTensor() {
                n[0]++;
            }
        }.value(v);
        return n[0];
    }

    /** Renders a value tree with its sharing: an object met again is written as its first number. */
    private static class Renderer {
        private final StringBuilder sb;
        private final Map<Object, Integer> seen = new IdentityHashMap<>();

        Renderer(StringBuilder sb) {
            this.sb = sb;
        }

        void onTensor() {
        }

        void value(PickleValue v) {
            // An explicit work list: hostile pickles nest far deeper than the Java stack.
            List<Object> work = new ArrayList<>();
            work.add(v);
            while (!work.isEmpty()) {
                Object o = work.remove(work.size() - 1);
                if (o instanceof String s) {
                    sb.append(s);
                    continue;
                }
                PickleValue x = (PickleValue) o;
                boolean container = x instanceof PTuple || x instanceof PList || x instanceof PDict || x instanceof PSet
                        || x instanceof PObject || x instanceof PTensor || x instanceof PStorage || x instanceof PSymbol
                        || x instanceof PGlobal;
                if (container) {
                    Integer id = seen.get(x);
                    if (id != null) {
                        sb.append('#').append(id);
                        continue;
                    }
                    seen.put(x, seen.size());
                    sb.append('@').append(seen.size() - 1);
                }
                List<Object> children = new ArrayList<>();
                if (x instanceof PTuple t) {
                    children.add("(");
                    children.addAll(t.items());
                    children.add(")");
                } else if (x instanceof PList l) {
                    children.add("[");
                    children.addAll(l.items());
                    children.add("]");
                } else if (x instanceof PDict d) {
                    children.add(d.typeName() + "{");
                    for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
                        children.add(e.getKey());
                        children.add(":");
                        children.add(e.getValue());
                        children.add(",");
                    }
                    children.add("}" + new TreeMap<>(d.attributes()).keySet());
                } else if (x instanceof PSet s) {
                    children.add(s.typeName() + "{");
                    s.items().forEach(children::add);
                    children.add("}");
                } else if (x instanceof PObject obj) {
                    children.add("obj " + obj.type().qualified() + " args=");
                    children.add(obj.args());
                    children.add(" state=");
                    if (obj.state() != null) {
                        children.add(obj.state());
                    }
                    children.add(" list=[");
                    if (obj.listItems() != null) {
                        children.addAll(obj.listItems());
                    }
                    children.add("] dict=");
                    if (obj.dictItems() != null) {
                        children.add(obj.dictItems());
                    }
                } else if (x instanceof PTensor t) {
                    onTensor();
                    children.add("tensor " + t.kind() + " grad=" + t.requiresGrad() + " " + t.view());
                } else if (x instanceof PStorage s) {
                    children.add("storage " + s);
                } else if (x instanceof PSymbol s) {
                    children.add("symbol " + s.what().qualified() + " args=");
                    if (s.args() != null) {
                        children.add(s.args());
                    }
                } else {
                    children.add(x.typeName() + ":" + x);
                }
                for (int i = children.size() - 1; i >= 0; i--) {
                    work.add(children.get(i));
                }
            }
        }
    }
}
