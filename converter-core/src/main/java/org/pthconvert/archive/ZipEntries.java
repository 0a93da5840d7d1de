package org.pthconvert.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.ByteSource;
import org.pthconvert.tensor.StorageKeys;

/**
 * Turns central directory entries into {@link ZipRecord}s: reads each local header for the data
 * offset, strips the shared top folder, and checks what the directory alone cannot show: the
 * local header matches its directory entry, data lies before the central directory, no two
 * entries overlap, a stored entry's sizes agree, a deflated one does not claim a ratio deflate
 * cannot reach.
 *
 * <p>Names are matched as torch's reader (miniz) matches them: the top folder is the first
 * entry's, and lookups ignore ASCII case ({@code archive/DATA.PKL} answers for {@code data.pkl}).
 * Two entries whose names are equal once case is folded (or once decoded) leave it uncertain which
 * one torch loads; such an archive, like one with a record outside the top folder, is not refused
 * here but marked {@link #ambiguity}, so that every pickle in it can be audited first
 * ({@link #pickleRecords} lists every pickle, duplicates included).
 */
final class ZipEntries {
    /** Deflate cannot expand data more than about 1032:1 (258-byte matches in 2 bits). */
    private static final long MAX_DEFLATE_RATIO = 1040;

    final String topFolder;
    /** The top folder case-folded, with its slash: what every folded key of a record in it starts with. */
    private final String foldedTop;
    /** {@code foldedTop + "data/"}, the start of every storage record's folded name. */
    private final String foldedData;
    /** {@code topFolder + "/data/"}: the exact name of a storage record torch saved, but for its key. */
    private final String dataPrefix;
    /** Why the archive is refused once its pickles are audited, or null. Set only while resolving. */
    CheckpointException ambiguity;

    /*
     * Every entry in directory order, duplicates and directories included, as columns rather than one
     * object each: a checkpoint of 100,000 tensors has 100,000 entries, which as records with their
     * names and a map of them held 180 bytes each for as long as the checkpoint was open; here 50.
     * ZipRecords are made when asked for. The columns the open checkpoint needs are copied from
     * {@link ZipCentrals} rather than kept with it, so that its raw names and directory offsets
     * (another 30 bytes an entry) are not held.
     */
    private final int count;
    private final long[] localHeaderOffset;
    private final long[] dataOffset;
    private final long[] compressedSize;
    private final long[] size;
    private final int[] crc;
    /** Compression method in the high 16 bits, general purpose flags in the low 16. */
    private final int[] methodFlags;
    private final boolean[] inTop;
    /** The full name, or null for a storage record named exactly {@code dataPrefix + key[i]}. */
    private final String[] names;
    /** The canonical decimal key of an entry whose folded name is {@code foldedData + key}, else -1. */
    private final int[] key;

    /**
     * Which entry torch finds under {@code foldedData + k}, by {@code k}, for the canonical decimal keys
     * torch gives storages ({@code 0}, {@code 1}, ...) below the number of entries; -1 where none. A
     * storage is looked up twice per tensor, and this spares hashing its name each time.
     */
    private final int[] storageByIndex;
    /**
     * Every other entry by its case-folded full name: the first of any that fold alike (which makes the
     * archive ambiguous).
     */
    private final Map<String, Integer> byFolded = new HashMap<>();

    private ZipEntries(String topFolder, int count) {
        this.topFolder = topFolder;
        this.foldedTop = fold(topFolder) + "/";
        this.foldedData = foldedTop + "data/";
        this.dataPrefix = topFolder + "/data/";
        this.count = count;
        this.localHeaderOffset = new long[count];
        this.dataOffset = new long[count];
        this.compressedSize = new long[count];
        this.size = new long[count];
        this.crc = new int[count];
        this.methodFlags = new int[count];
        this.inTop = new boolean[count];
        this.names = new String[count];
        this.key = new int[count];
        this.storageByIndex = new int[count];
        Arrays.fill(storageByIndex, -1);
    }

    /** The storage key {@code k} of a folded full name kept in {@link #storageByIndex}, else -1. */
    private int indexedKey(String folded) {
        if (!folded.startsWith(foldedData)) {
            return -1;
        }
        int k = StorageKeys.decimalKey(folded, foldedData.length());
        return k < count ? k : -1;
    }

    /** The first entry whose folded full name is {@code folded}, or -1. */
    private int indexOf(String folded) {
        int k = indexedKey(folded);
        if (k >= 0) {
            return storageByIndex[k];
        }
        Integer i = byFolded.get(folded);
        return i == null ? -1 : i;
    }

    /** Files entry {@code i} under its folded name; the entry filed there before it, or -1. */
    private int file(String folded, int i) {
        int k = indexedKey(folded);
        if (k >= 0) {
            return fileKey(k, i);
        }
        key[i] = -1;
        Integer before = byFolded.putIfAbsent(folded, i);
        return before == null ? -1 : before;
    }

    /** {@link #file} for an entry whose folded name is known to be {@code foldedData + k}, {@code k} below the count. */
    private int fileKey(int k, int i) {
        key[i] = k;
        int before = storageByIndex[k];
        if (before < 0) {
            storageByIndex[k] = i;
        }
        return before;
    }

    /** The record torch finds for {@code name} (relative to the top folder, any case), or null. */
    ZipRecord get(String name) {
        int i = indexOf(foldedTop + fold(name));
        return recordInTop(i) ? record(i) : null;
    }

    /**
     * The entry of storage {@code key} ({@code data/<key>}), or -1: {@link #get} with no string made
     * for the canonical keys torch writes, and no record made at all.
     */
    int storage(String key) {
        int k = StorageKeys.decimalKey(key, 0);
        int i = k >= 0 && k < count ? storageByIndex[k] : indexOf(foldedData.concat(fold(key)));
        return recordInTop(i) ? i : -1;
    }

    /** Whether entry {@code i}'s data is stored as is (not compressed). */
    boolean stored(int i) {
        return methodFlags[i] >>> 16 == ZipRecord.STORED;
    }

    long dataOffset(int i) {
        return dataOffset[i];
    }

    long size(int i) {
        return size[i];
    }

    long crc(int i) {
        return Integer.toUnsignedLong(crc[i]);
    }

    /**
     * Entry {@code i}'s full name, or null when it is {@link #dataPrefix} followed by the key it was
     * looked up by, made only when a message needs it.
     */
    String keptName(int i) {
        return names[i];
    }

    /** {@code <top>/data/}: what a storage record's full name is, but for its key. */
    String dataPrefix() {
        return dataPrefix;
    }

    /** Whether entry {@code i} exists and is a record of the top folder (not a directory entry). */
    private boolean recordInTop(int i) {
        return i >= 0 && inTop[i] && !isDirectory(i);
    }

    /** A directory entry, as zip tools add them: a name ending in a slash, no data. */
    private boolean isDirectory(int i) {
        return size[i] == 0 && names[i] != null && names[i].endsWith("/");
    }

    /** Whether a record in the top folder is named exactly {@code name}, case included. */
    boolean hasExactly(String name) {
        ZipRecord r = get(name);
        return r != null && r.fullName().length() == r.nameStart() + name.length() && r.fullName().endsWith(name);
    }

    /** Entry {@code i}'s full name. */
    private String fullName(int i) {
        return names[i] != null ? names[i] : dataPrefix + key[i];
    }

    /** Entry {@code i} as a record. */
    ZipRecord record(int i) {
        return new ZipRecord(fullName(i), inTop[i] ? foldedTop.length() : 0, methodFlags[i] >>> 16,
                methodFlags[i] & 0xFFFF, Integer.toUnsignedLong(crc[i]), compressedSize[i], size[i],
                localHeaderOffset[i], dataOffset[i]);
    }

    /** Every entry whose name ends in {@code .pkl} in any case, in directory order, duplicates included. */
    List<ZipRecord> pickleRecords() {
        List<ZipRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // A storage record's name, not kept, ends in its key's digits.
            if (names[i] != null && fold(names[i]).endsWith(".pkl")) {
                out.add(record(i));
            }
        }
        return out;
    }

    /** Record names without the top folder, as stored, in directory order. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (recordInTop(i)) {
                String full = fullName(i);
                if (indexOf(fold(full)) == i) {
                    out.add(full.substring(foldedTop.length()));
                }
            }
        }
        return out;
    }

    /** ASCII case folding, as miniz's {@code MZ_TOLOWER}: other characters are left alone. */
    static String fold(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, (char) (c + 32));
            }
        }
        return sb == null ? s : sb.toString();
    }

    static ZipEntries resolve(ByteSource ch, Path file, ZipDirectory dir) throws IOException, CheckpointException {
        ZipCentrals e = dir.entries;
        if (e.count() == 0) {
            throw ZipDirectory.at(file, dir.cdOffset, "the zip archive holds no records: not a PyTorch checkpoint");
        }
        // torch takes the folder of the directory's first entry, whatever it is.
        String first = e.name(0);
        int firstSlash = first.indexOf('/');
        if (firstSlash < 0) {
            throw CheckpointException.of(Reason.INVALID, "the record is not inside a top folder (torch puts every record under one folder,"
                    + " such as 'archive/'): not a PyTorch zip checkpoint").inFile(file).at(first, -1);
        }
        String top = first.substring(0, firstSlash);
        ZipEntries z = new ZipEntries(top, e.count());
        // Storage records are matched on their raw bytes, without decoding or folding a name, when the
        // top folder is ASCII (as torch writes it: the file's base name or "archive").
        byte[] foldedDataBytes = asciiBytes(z.foldedData);
        byte[] dataPrefixBytes = asciiBytes(z.dataPrefix);
        boolean[] exact = new boolean[1];
        Map<String, String> rawSeen = new HashMap<>();
        CheckpointException ambiguity = dir.ambiguity;
        LocalHeaders headers = new LocalHeaders(ch, file, e, dir.cdOffset);
        for (int i = 0; i < z.count; i++) {
            ambiguity = z.resolveEntry(i, e, headers, file, dir, foldedDataBytes, dataPrefixBytes, exact, rawSeen, ambiguity);
        }
        z.checkOverlaps(file);
        z.ambiguity = ambiguity;
        return z;
    }

    /**
     * Files entry {@code i} and checks its local header; returns the archive's ambiguity so far. A
     * method of its own, called per entry, so that the JIT compiles it after a few entries, where a
     * loop body waits for on-stack replacement.
     */
    private CheckpointException resolveEntry(int i, ZipCentrals e, LocalHeaders headers, Path file, ZipDirectory dir,
                                             byte[] foldedDataBytes, byte[] dataPrefixBytes, boolean[] exact,
                                             Map<String, String> rawSeen, CheckpointException ambiguity)
            throws IOException, CheckpointException {
        int k = foldedDataBytes == null ? -1 : e.storageKey(i, foldedDataBytes, count, dataPrefixBytes, exact);
        String folded = null;
        boolean inTop = true;
        if (k < 0) {
            String name = e.name(i);
            folded = fold(name);
            inTop = folded.startsWith(foldedTop) && folded.length() > foldedTop.length();
            names[i] = name;
        } else {
            names[i] = exact[0] ? null : e.name(i); // null: made again from the key when needed
        }
        local(headers, i, file, dir, inTop);
        int before = k >= 0 ? fileKey(k, i) : file(folded, i);
        if (names[i] != null && key[i] >= 0 && names[i].startsWith(dataPrefix)) {
            names[i] = null; // a top folder beyond ASCII: its storage records are matched by name
        }
        String clash = rawClash(rawSeen, e, i);
        if (clash == null && before >= 0) {
            clash = fullName(before);
        }
        if (clash != null && ambiguity == null) {
            String name = fullName(i);
            ambiguity = CheckpointException.of(Reason.INVALID, (clash.equals(name)
                    ? "the record appears twice in the zip directory"
                    : "the records '" + CheckpointException.shown(clash) + "' and '" + CheckpointException.shown(name)
                    + "' have the same name once upper and"
                    + " lower case are folded (torch's zip reader ignores case)")
                    + ": which one torch loads is uncertain (ambiguous zip)").inFile(file).at(name, -1);
        }
        if (!inTop && !isDirectory(i) && ambiguity == null) {
            ambiguity = CheckpointException.of(Reason.INVALID, "the record is not inside the top folder '" + topFolder + "/' that the other records share").inFile(file).at(fullName(i), -1);
        }
        return ambiguity;
    }

    /** {@code s}'s bytes when it is all ASCII, else null. */
    private static byte[] asciiBytes(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            b[i] = (byte) c;
        }
        return b;
    }

    /**
     * The name of an earlier entry whose raw name bytes equal entry {@code i}'s once ASCII case is
     * folded (what miniz compares), when that differs from comparing decoded names (which the caller
     * does): only for names with bytes beyond ASCII, since an ASCII name decodes to its bytes' own
     * characters.
     */
    private static String rawClash(Map<String, String> rawSeen, ZipCentrals e, int i) {
        if (e.asciiName(i)) {
            return null;
        }
        return rawSeen.putIfAbsent(fold(new String(e.rawName(i), StandardCharsets.ISO_8859_1)), e.name(i));
    }

    /** Checks entry {@code index}'s local header against its directory entry, and files both. */
    private void local(LocalHeaders headers, int index, Path file, ZipDirectory dir, boolean inTopFolder)
            throws IOException, CheckpointException {
        ZipCentrals c = dir.entries;
        long lho = c.localHeaderOffset(index);
        if (lho > dir.cdOffset - ZipDirectory.LOCAL_SIZE) {
            throw fail(file, c, index, "its local header offset " + lho + " is not before the central directory (byte "
                    + dir.cdOffset + "): corrupt or truncated zip");
        }
        // The header and the name the directory expects in one read; a local name of another length is
        // read on its own below.
        int expected = c.nameLength(index);
        int want = (int) Math.min(ZipDirectory.LOCAL_SIZE + (long) expected, dir.cdOffset - lho);
        int o = headers.read(index, lho, want);
        byte[] h = headers.bytes();
        if (ZipDirectory.u32(h, o) != ZipDirectory.SIG_LOCAL) {
            throw fail(file, c, index, "no local header at byte " + lho + " where the central directory points");
        }
        int method = ZipDirectory.u16(h, o + 8);
        int nameLen = ZipDirectory.u16(h, o + 26);
        int extraLen = ZipDirectory.u16(h, o + 28);
        long dataOffset = Math.addExact(lho, ZipDirectory.LOCAL_SIZE + (long) nameLen + extraLen);
        if (dataOffset > dir.cdOffset) {
            throw fail(file, c, index, "its local header at byte " + lho + " runs into the central directory");
        }
        boolean sameName = nameLen == expected && want == ZipDirectory.LOCAL_SIZE + expected
                ? c.nameEquals(index, h, o + ZipDirectory.LOCAL_SIZE, o + want)
                : Arrays.equals(headers.readName(lho + ZipDirectory.LOCAL_SIZE, nameLen), c.rawName(index));
        if (!sameName) {
            byte[] localName = headers.readName(lho + ZipDirectory.LOCAL_SIZE, nameLen);
            throw fail(file, c, index, "the local header at byte " + lho + " names a different entry ('"
                    + new String(localName, java.nio.charset.StandardCharsets.ISO_8859_1) + "')");
        }
        int cMethod = c.method(index);
        long csize = c.compressedSize(index);
        long usize = c.size(index);
        if (method != cMethod) {
            throw fail(file, c, index, "the local header at byte " + lho + " gives compression method " + method
                    + " but the central directory gives " + cMethod);
        }
        if (csize > dir.cdOffset - dataOffset) {
            throw fail(file, c, index, "its data (" + csize + " bytes at byte " + dataOffset
                    + ") runs past the start of the central directory (byte " + dir.cdOffset
                    + "): corrupt or truncated zip");
        }
        if (cMethod == ZipRecord.STORED && csize != usize) {
            throw fail(file, c, index, "a stored (uncompressed) record whose sizes differ: " + csize
                    + " bytes stored, " + usize + " declared");
        }
        if (cMethod == ZipRecord.DEFLATED
                && usize > Math.addExact(Math.multiplyExact(csize, MAX_DEFLATE_RATIO), 1024)) {
            throw fail(file, c, index, "declares " + usize + " bytes from " + csize
                    + " compressed, more than deflate can produce (a zip bomb or a corrupt directory)");
        }
        localHeaderOffset[index] = lho;
        this.dataOffset[index] = dataOffset;
        compressedSize[index] = csize;
        size[index] = usize;
        crc[index] = (int) c.crc(index);
        methodFlags[index] = cMethod << 16 | c.flags(index);
        inTop[index] = inTopFolder;
    }

    /**
     * Entries sorted by local header must each end before the next begins. torch writes them in
     * directory order, already sorted; only an archive written otherwise is sorted here.
     */
    private void checkOverlaps(Path file) throws CheckpointException {
        int[] order = null;
        for (int i = 1; i < count; i++) {
            if (localHeaderOffset[i] < localHeaderOffset[i - 1]) {
                Integer[] boxed = new Integer[count];
                for (int j = 0; j < count; j++) {
                    boxed[j] = j;
                }
                // A plain lambda: Comparator.comparingLong spins a class at run time on every start.
                Arrays.sort(boxed, (a, b) -> Long.compare(localHeaderOffset[a], localHeaderOffset[b]));
                order = new int[count];
                for (int j = 0; j < count; j++) {
                    order[j] = boxed[j];
                }
                break;
            }
        }
        for (int j = 1; j < count; j++) {
            int prev = order == null ? j - 1 : order[j - 1];
            int next = order == null ? j : order[j];
            long prevEnd = dataOffset[prev] + compressedSize[prev];
            if (prevEnd > localHeaderOffset[next]) {
                throw CheckpointException.of(Reason.INVALID, "the record overlaps '" + fullName(prev) + "' (bytes "
                        + localHeaderOffset[next] + " to " + prevEnd + "): overlapping entries are a zip bomb or a forgery")
                        .inFile(file).at(fullName(next), -1);
            }
        }
    }

    private static CheckpointException fail(Path file, ZipCentrals c, int i, String detail) {
        return CheckpointException.of(Reason.INVALID, detail + " (central directory entry at byte " + c.at(i) + ")").inFile(file).at(c.name(i), -1);
    }
}
