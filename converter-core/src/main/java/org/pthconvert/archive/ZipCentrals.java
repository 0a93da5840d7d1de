package org.pthconvert.archive;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The central directory's entries, in directory order, as columns, with every raw name in one array:
 * a checkpoint of 100,000 tensors has 100,000 entries, which as objects with a name array and a
 * decoded name each made a tenth of what opening it allocated. Names are decoded when asked for;
 * {@link ZipEntries} asks only for those it cannot match by their bytes. Validated as it is filled
 * ({@link ZipDirectory#read}): names decode, sizes and offsets are what the ZIP64 fields say.
 */
final class ZipCentrals {
    private static final int INITIAL_ENTRIES = 1 << 17;
    private static final int INITIAL_NAME_BYTES = 1 << 22;

    private final int count;
    /*
     * Grown as entries are read past the first INITIAL_ENTRIES, not sized for any count the end
     * record declares: a directory that declares millions of entries and breaks at the first is
     * refused before it costs their memory.
     */
    /** File offset of each entry's central directory record. */
    private long[] at;
    private long[] compressedSize;
    private long[] size;
    private long[] localHeaderOffset;
    private int[] crc;
    private int[] flags;
    private int[] method;
    /** Entry {@code i}'s raw name is {@code names[nameStart[i]] .. names[nameStart[i + 1] - 1]}. */
    private int[] nameStart;
    private byte[] names;
    private int filled;

    ZipCentrals(int count, long nameBytes) {
        this.count = count;
        // Sized for what is declared up to a few MB (a checkpoint of 100,000 tensors then copies no
        // column while reading), grown beyond that only as entries really arrive. The names' total is
        // at most what the directory holds besides its fixed-size records.
        allocate(Math.min(count, INITIAL_ENTRIES));
        this.names = new byte[(int) Math.min(nameBytes, INITIAL_NAME_BYTES)];
    }

    private void allocate(int capacity) {
        at = grown(at, capacity);
        compressedSize = grown(compressedSize, capacity);
        size = grown(size, capacity);
        localHeaderOffset = grown(localHeaderOffset, capacity);
        crc = grown(crc, capacity);
        flags = grown(flags, capacity);
        method = grown(method, capacity);
        nameStart = nameStart == null ? new int[capacity + 1] : Arrays.copyOf(nameStart, capacity + 1);
    }

    private static long[] grown(long[] a, int capacity) {
        return a == null ? new long[capacity] : Arrays.copyOf(a, capacity);
    }

    private static int[] grown(int[] a, int capacity) {
        return a == null ? new int[capacity] : Arrays.copyOf(a, capacity);
    }

    /** Appends entry {@code i} (the next one); its name is the first {@code nameLength} bytes of {@code raw}. */
    void add(int i, long at, byte[] raw, int nameLength, int flags, int method, long crc, long compressedSize,
             long size, long localHeaderOffset) {
        if (i >= this.at.length) {
            allocate((int) Math.min(count, 2L * this.at.length));
        }
        if (filled + nameLength > names.length) {
            names = Arrays.copyOf(names, Math.max(filled + nameLength, (int) Math.min(Integer.MAX_VALUE - 16,
                    2L * names.length)));
        }
        System.arraycopy(raw, 0, names, filled, nameLength);
        filled += nameLength;
        nameStart[i + 1] = filled;
        this.at[i] = at;
        this.flags[i] = flags;
        this.method[i] = method;
        this.crc[i] = (int) crc;
        this.compressedSize[i] = compressedSize;
        this.size[i] = size;
        this.localHeaderOffset[i] = localHeaderOffset;
    }

    int count() { return count; }

    long at(int i) { return at[i]; }

    int flags(int i) { return flags[i]; }

    int method(int i) { return method[i]; }

    long crc(int i) { return Integer.toUnsignedLong(crc[i]); }

    long compressedSize(int i) { return compressedSize[i]; }

    long size(int i) { return size[i]; }

    long localHeaderOffset(int i) { return localHeaderOffset[i]; }

    int nameLength(int i) { return nameStart[i + 1] - nameStart[i]; }

    /** The raw name, copied. */
    byte[] rawName(int i) {
        return Arrays.copyOfRange(names, nameStart[i], nameStart[i + 1]);
    }

    /** The decoded name (it decodes: {@link ZipDirectory#read} checked). */
    String name(int i) {
        return decode(rawName(i), flags[i]);
    }

    /** A name as messages show it: decoded, or as Latin-1 when it does not decode. */
    static String decode(byte[] raw, int flags) {
        String name = ZipNames.decode(raw, flags);
        return name != null ? name : new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** Whether entry {@code i}'s raw name is all ASCII (then it reads the same in UTF-8 and CP437). */
    boolean asciiName(int i) {
        return ZipNames.isAscii(names, nameStart[i], nameStart[i + 1]);
    }

    /** Whether entry {@code i}'s raw name equals {@code b[from..to)}. */
    boolean nameEquals(int i, byte[] b, int from, int to) {
        return Arrays.equals(names, nameStart[i], nameStart[i + 1], b, from, to);
    }

    /**
     * The storage key {@code k} when entry {@code i}'s raw name is {@code prefix} (ASCII, folded) in
     * any ASCII case followed by {@code k} as a canonical decimal below {@code bound}, else -1: the
     * entry is then {@code <top>/data/<k>} in either encoding, found without decoding its name. When
     * it is, {@code exact[0]} says whether the name's prefix is {@code exactPrefix} (the same
     * length), case included.
     */
    int storageKey(int i, byte[] prefix, int bound, byte[] exactPrefix, boolean[] exact) {
        int s = nameStart[i];
        int n = nameStart[i + 1] - s;
        int digits = n - prefix.length;
        if (digits < 1 || digits > 10 || (digits > 1 && names[s + prefix.length] == '0')) {
            return -1;
        }
        boolean same = true;
        for (int j = 0; j < prefix.length; j++) {
            byte b = names[s + j];
            byte lower = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
            if (lower != prefix[j]) {
                return -1;
            }
            same &= b == exactPrefix[j];
        }
        long v = 0;
        for (int j = s + prefix.length; j < s + n; j++) {
            byte b = names[j];
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        if (v >= bound) {
            return -1;
        }
        exact[0] = same;
        return (int) v;
    }
}
