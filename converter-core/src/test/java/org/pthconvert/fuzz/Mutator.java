package org.pthconvert.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Makes mutants of seed files: byte-level mutations of the whole file (bit flips, interesting bytes
 * and integers, truncation, duplicated and deleted ranges, splices), and for zip seeds mutations of
 * one record (mostly data.pkl, also storages and small records) re-zipped with correct CRCs, so that
 * the mutation reaches the pickle instead of stopping at the zip layer's CRC check. Everything is
 * derived from the {@link Random} passed in: one case seed gives one mutant.
 */
final class Mutator {
    /** Bytes worth writing: boundaries, signs, and pickle opcodes that build, call and mutate. */
    private static final int[] INTERESTING = {0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x40, 0x20,
        '(', ')', ']', '}', '.', '0', '1', '2', 'a', 'b', 'c', 'e', 'h', 'j', 'l', 'p', 'q', 'r', 's', 't', 'u',
        'R', 'Q', 'K', 'J', 'M', 'N', 'X', 'Y', 'B', 'C', 'G', 'I', 'L', 'S', 'V', 'F', 'P', 'g', 'i', 'o',
        0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91,
        0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98};
    private static final long[] INTERESTING_INTS = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffffL,
        0x80000000L, 0xffffffffL, 1L << 32, 1L << 40, 1L << 50, Long.MAX_VALUE, Long.MIN_VALUE, 64, 1000000,
        Integer.MAX_VALUE - 16};
    /** Pickle fragments to insert: deep containers, huge lengths, memo games, calls, stray STOPs. */
    private static final byte[][] SNIPPETS = {
        ascii("("), ascii("."), ascii("R"), ascii("b"), ascii("u"), ascii("a"), ascii("e"), ascii("s"), ascii("t"),
        ascii("0"), ascii("1"), ascii("2"), ascii("N)"), ascii("}"), ascii("]"), ascii(")R"), ascii("(t"),
        ascii("cos\nsystem\n"), ascii("c__builtin__\nset\n"), ascii("ccollections\nOrderedDict\n)R"),
        ascii("ctorch._utils\n_rebuild_tensor_v2\n"), ascii("ctorch\nFloatStorage\n"),
        bytes(0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x80), bytes('J', 0xff, 0xff, 0xff, 0x7f), bytes('J', 0, 0, 0, 0x80),
        bytes('r', 0xff, 0xff, 0xff, 0x7f), bytes('j', 0xff, 0xff, 0xff, 0x7f), bytes('h', 0xff), bytes('q', 0xff),
        bytes('X', 0xff, 0xff, 0xff, 0x7f), bytes('B', 0xff, 0xff, 0xff, 0xff), bytes(0x8e, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f), bytes(0x95, 0xff, 0xff, 0, 0, 0, 0, 0, 0), bytes(0x80, 5), bytes(0x80, 9),
        bytes(0x8c, 2, 'o', 's', 0x8c, 6, 's', 'y', 's', 't', 'e', 'm', 0x93), bytes(0x94), bytes(0x91),
        ascii("(((((((((((((((((((("), ascii("]]]]]]]]]]]]]]]]"), ascii("I99999999999999999999999999\n"),
        ascii("L-99999999999999999999999L\n"), ascii("F1e999\n"), ascii("Vabc\\u12\n"), ascii("S'x\n"),
        ascii("(I1\nI2\nI3\nt"), ascii("K\u0002K\u0003\u0086"), ascii("\u0085\u0086\u0087"),
    };

    /** Opcodes and memo fetches from which random fragments are drawn, to be repeated many times. */
    private static final byte[][] FRAGMENT_PARTS = {
        bytes('h', 0), bytes('h', 1), bytes('h', 2), bytes('h', 3), bytes('h', 5), bytes('h', 8), bytes('j', 1, 0, 0, 0),
        ascii("\u0085"), ascii("\u0086"), ascii("R"), ascii("0"), ascii("2"), ascii("b"), ascii("a"), ascii("s"),
        ascii("e"), ascii("u"), ascii("("), ascii("t"), ascii("l"), ascii(")"), ascii("]"), ascii("}"), ascii("N"),
        bytes('K', 1), bytes('q', 9), ascii("\u0081"), ascii("\u0094"), ascii("\u0090"),
    };

    /** One seed: its bytes and, for a zip, its entries as {@code java.util.zip} read them. */
    record Seed(String name, byte[] bytes, List<Entry> entries, boolean expensive) {
        boolean isZip() {
            return !entries.isEmpty();
        }
    }

    record Entry(String name, byte[] data, int method) {
    }

    private static final int MAX_RECORD = 8 << 20;

    private final List<Seed> seeds;

    Mutator(List<Seed> seeds) {
        this.seeds = seeds;
    }

    /** @param expensive a seed whose mutants take long to read (big, or built to reach a limit) */
    static Seed load(Path file, byte[] bytes, boolean expensive) {
        List<Entry> entries = new ArrayList<>();
        if (bytes.length > 4 && bytes[0] == 'P' && bytes[1] == 'K') {
            try (ZipFile z = new ZipFile(file.toFile())) {
                Enumeration<? extends ZipEntry> all = z.entries();
                while (all.hasMoreElements()) {
                    ZipEntry e = all.nextElement();
                    // Never more than the directory declares (a zip bomb inflates far past it), nor 8 MiB.
                    int max = (int) Math.min(MAX_RECORD, Math.max(0, e.getSize()));
                    try (var in = z.getInputStream(e)) {
                        entries.add(new Entry(e.getName(), in.readNBytes(max), e.getMethod()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                entries.clear(); // a broken zip: byte-level mutations only
            }
        }
        return new Seed(file.getFileName().toString(), bytes, List.copyOf(entries), expensive);
    }

    /** A mutant of {@code seed}, and a short description of what was done. */
    record Mutant(byte[] bytes, String how) {
    }

    Mutant mutate(Seed seed, Random r) {
        int choice = r.nextInt(100);
        if (seed.isZip() && choice < 50) {
            return mutateRecord(seed, r, "data.pkl");
        }
        if (seed.isZip() && choice < 62) {
            return mutateRecord(seed, r, null);
        }
        StringBuilder how = new StringBuilder("bytes:");
        byte[] b = seed.bytes();
        int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(8) : 0);
        for (int i = 0; i < n; i++) {
            b = mutateBytes(b, r, how, false);
        }
        return new Mutant(b, how.toString());
    }

    /** Mutates one record (data.pkl, or any when {@code target} is null) and re-zips with correct CRCs. */
    private Mutant mutateRecord(Seed seed, Random r, String target) {
        List<Entry> entries = new ArrayList<>(seed.entries());
        int index = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (target != null && entries.get(i).name().endsWith("/" + target)) {
                index = i;
            }
        }
        if (index < 0) {
            index = r.nextInt(entries.size());
        }
        Entry e = entries.get(index);
        StringBuilder how = new StringBuilder("record " + e.name() + ":");
        int op = r.nextInt(20);
        if (target == null && op == 0) {
            entries.remove(index);
            how.append(" removed");
        } else if (target == null && op == 1) {
            entries.remove(index);
            entries.add(r.nextInt(entries.size() + 1), e);
            how.append(" moved");
        } else {
            byte[] data = e.data();
            int n = 1 + (r.nextInt(3) == 0 ? r.nextInt(6) : 0);
            for (int i = 0; i < n; i++) {
                data = mutateBytes(data, r, how, e.name().endsWith(".pkl"));
            }
            int method = r.nextInt(8) == 0 ? ZipEntry.DEFLATED + ZipEntry.STORED - e.method() : e.method();
            entries.set(index, new Entry(e.name(), data, method));
        }
        boolean deflateAll = r.nextInt(16) == 0;
        if (deflateAll) {
            how.append(" (all deflated)");
        }
        return new Mutant(zip(entries, deflateAll), how.toString());
    }

    private byte[] mutateBytes(byte[] in, Random r, StringBuilder how, boolean pickle) {
        if (in.length == 0) {
            how.append(" insert");
            return pickle ? SNIPPETS[r.nextInt(SNIPPETS.length)].clone() : new byte[] {(byte) r.nextInt(256)};
        }
        byte[] b = in.clone();
        int at = r.nextInt(b.length);
        switch (r.nextInt(pickle ? 13 : 9)) {
            case 0 -> {
                int bits = 1 + r.nextInt(3);
                for (int i = 0; i < bits; i++) {
                    int p = r.nextInt(b.length);
                    b[p] ^= (byte) (1 << r.nextInt(8));
                }
                how.append(" flip");
            }
            case 1, 2 -> {
                b[at] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
                how.append(" byte@").append(at);
            }
            case 3 -> {
                long v = INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)];
                int width = new int[] {1, 2, 4, 8}[r.nextInt(4)];
                boolean big = r.nextInt(4) == 0;
                for (int i = 0; i < width && at + i < b.length; i++) {
                    int shift = 8 * (big ? width - 1 - i : i);
                    b[at + i] = (byte) (v >>> shift);
                }
                how.append(" int@").append(at);
            }
            case 4 -> {
                how.append(" truncate@").append(at);
                return Arrays.copyOf(b, at);
            }
            case 5 -> {
                int len = 1 + r.nextInt(Math.min(b.length - at, 256));
                int times = r.nextInt(8) == 0 ? 1 + r.nextInt(64) : 1;
                ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + len * times);
                out.write(b, 0, at + len);
                for (int i = 0; i < times; i++) {
                    out.write(b, at, len);
                }
                out.write(b, at + len, b.length - at - len);
                how.append(" dup@").append(at).append('+').append(len).append('x').append(times);
                return out.toByteArray();
            }
            case 6 -> {
                int len = 1 + r.nextInt(Math.min(b.length - at, 256));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                how.append(" del@").append(at).append('+').append(len);
                return out;
            }
            case 7 -> {
                Seed other = seeds.get(r.nextInt(seeds.size()));
                byte[] src = other.bytes();
                if (src.length == 0) {
                    return b;
                }
                int from = r.nextInt(src.length);
                int len = 1 + r.nextInt(Math.min(src.length - from, 512));
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(src, from, out, at, len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                how.append(" splice@").append(at).append('+').append(len);
                return out;
            }
            case 8 -> {
                int len = 1 + r.nextInt(Math.min(b.length - at, 16));
                for (int i = 0; i < len; i++) {
                    b[at + i] = (byte) r.nextInt(256);
                }
                how.append(" random@").append(at).append('+').append(len);
            }
            case 11 -> {
                // A random fragment of memo fetches and opcodes, repeated: the shape of amplification attacks.
                ByteArrayOutputStream frag = new ByteArrayOutputStream();
                int parts = 2 + r.nextInt(5);
                for (int i = 0; i < parts; i++) {
                    frag.writeBytes(FRAGMENT_PARTS[r.nextInt(FRAGMENT_PARTS.length)]);
                }
                byte[] f = frag.toByteArray();
                int times = 1 + r.nextInt(r.nextBoolean() ? 50 : 20_000);
                ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + f.length * times);
                out.write(b, 0, at);
                for (int i = 0; i < times; i++) {
                    out.write(f, 0, f.length);
                }
                out.write(b, at, b.length - at);
                how.append(" fragment@").append(at).append('x').append(times);
                return out.toByteArray();
            }
            default -> {
                byte[] s = SNIPPETS[r.nextInt(SNIPPETS.length)];
                int times = r.nextInt(10) == 0 ? 1 + r.nextInt(5000) : 1;
                ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + s.length * times);
                out.write(b, 0, at);
                for (int i = 0; i < times; i++) {
                    out.write(s, 0, s.length);
                }
                out.write(b, at, b.length - at);
                how.append(" snippet@").append(at).append('x').append(times);
                return out.toByteArray();
            }
        }
        return b;
    }

    /** A zip of {@code entries} with correct sizes and CRCs, written by java.util.zip. */
    static byte[] zip(List<Entry> entries, boolean deflateAll) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Entry e : entries) {
                if (!seen.add(e.name())) {
                    continue; // java.util.zip refuses duplicate names
                }
                ZipEntry ze = new ZipEntry(e.name());
                int method = deflateAll ? ZipEntry.DEFLATED : e.method();
                ze.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(e.data());
                    ze.setSize(e.data().length);
                    ze.setCompressedSize(e.data().length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.data());
                z.closeEntry();
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bos.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
