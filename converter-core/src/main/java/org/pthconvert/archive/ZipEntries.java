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
 * ({@link #all} keeps every entry, duplicates included).
 */
final class ZipEntries {
    /** Deflate cannot expand data more than about 1032:1 (258-byte matches in 2 bits). */
    private static final long MAX_DEFLATE_RATIO = 1040;

    final String topFolder;
    /** The top folder case-folded, with its slash: what every folded key of a record in it starts with. */
    private final String foldedTop;
    /** {@code foldedTop + "data/"}, the start of every storage record's name. */
    private final String foldedData;
    /**
     * Every entry by its case-folded full name, the first of any that fold alike (which makes the
     * archive ambiguous). Keyed by full name, not by name within the top folder, so that the key is
     * the entry's own name string (a checkpoint of 100,000 tensors has 100,000 entries).
     */
    private final Map<String, ZipRecord> byFolded;
    /**
     * What {@link #byFolded} holds under {@code foldedData + k}, by {@code k}, for the canonical decimal
     * keys torch gives storages ({@code 0}, {@code 1}, ...) below the number of entries; null where it
     * holds none. A storage is looked up twice per tensor, and this spares making its name each time.
     */
    private final ZipRecord[] storageByIndex;
    /** Every entry in directory order, duplicates and directories included. */
    final List<ZipRecord> all;
    /** Why the archive is refused once its pickles are audited, or null. */
    final CheckpointException ambiguity;

    private ZipEntries(String topFolder, Map<String, ZipRecord> byFolded, List<ZipRecord> all,
                       CheckpointException ambiguity) {
        this.topFolder = topFolder;
        this.foldedTop = fold(topFolder) + "/";
        this.foldedData = foldedTop + "data/";
        this.byFolded = byFolded;
        this.all = all;
        this.ambiguity = ambiguity;
        this.storageByIndex = new ZipRecord[all.size()];
        for (Map.Entry<String, ZipRecord> e : byFolded.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(foldedData)) {
                int k = decimalKey(name, foldedData.length());
                if (k >= 0 && k < storageByIndex.length) {
                    storageByIndex[k] = e.getValue();
                }
            }
        }
    }

    /**
     * The value of {@code s} from {@code from} on when it is a canonical decimal (digits, no leading
     * zero but in "0") below 2^31, else -1.
     */
    static int decimalKey(String s, int from) {
        int n = s.length() - from;
        if (n < 1 || n > 10 || (n > 1 && s.charAt(from) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= Integer.MAX_VALUE ? (int) v : -1;
    }

    /** The record torch finds for {@code name} (relative to the top folder, any case), or null. */
    ZipRecord get(String name) {
        return recordInTop(foldedTop + fold(name));
    }

    /** The record of storage {@code key} ({@code data/<key>}): {@link #get} with one string made, not two. */
    ZipRecord storage(String key) {
        int k = decimalKey(key, 0);
        if (k >= 0 && k < storageByIndex.length) {
            return inTop(storageByIndex[k]);
        }
        return recordInTop(foldedData.concat(fold(key)));
    }

    /** The record under a folded full name, if it is a record of the top folder (not a directory entry). */
    private ZipRecord recordInTop(String foldedFullName) {
        return inTop(byFolded.get(foldedFullName));
    }

    /** {@code r} if it is a record of the top folder (not a directory entry), else null. */
    private static ZipRecord inTop(ZipRecord r) {
        return r == null || !r.inTopFolder() || r.isDirectory() ? null : r;
    }

    /** Whether a record in the top folder is named exactly {@code name}, case included. */
    boolean hasExactly(String name) {
        ZipRecord r = get(name);
        return r != null && r.fullName().length() == r.nameStart() + name.length() && r.fullName().endsWith(name);
    }

    /** Record names without the top folder, as stored, in directory order. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (ZipRecord r : all) {
            if (r.inTopFolder() && !r.isDirectory() && byFolded.get(fold(r.fullName())) == r) {
                out.add(r.name());
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
        if (dir.entries.isEmpty()) {
            throw ZipDirectory.at(file, dir.cdOffset, "the zip archive holds no records: not a PyTorch checkpoint");
        }
        // torch takes the folder of the directory's first entry, whatever it is.
        String first = dir.entries.get(0).name();
        int firstSlash = first.indexOf('/');
        if (firstSlash < 0) {
            throw CheckpointException.of(Reason.INVALID, "the record is not inside a top folder (torch puts every record under one folder,"
                    + " such as 'archive/'): not a PyTorch zip checkpoint").inFile(file).at(first, -1);
        }
        String top = first.substring(0, firstSlash);
        String foldedTop = fold(top) + "/";
        // Sized for every entry up front: growing it to 100,000 entries rehashes it eight times.
        Map<String, ZipRecord> byFolded = new HashMap<>(dir.entries.size() * 4 / 3 + 1);
        Map<String, String> rawSeen = new HashMap<>();
        List<ZipRecord> all = new ArrayList<>(dir.entries.size());
        CheckpointException ambiguity = dir.ambiguity;
        LocalHeaders headers = new LocalHeaders(ch, file, dir.entries, dir.cdOffset);
        for (int i = 0; i < dir.entries.size(); i++) {
            ZipDirectory.Central c = dir.entries.get(i);
            String folded = fold(c.name());
            boolean inTop = folded.startsWith(foldedTop) && folded.length() > foldedTop.length();
            ZipRecord r = local(headers, i, file, dir, c, inTop ? foldedTop.length() : 0);
            all.add(r);
            ZipRecord before = byFolded.putIfAbsent(folded, r);
            String clash = rawClash(rawSeen, c);
            if (clash == null && before != null) {
                clash = before.fullName();
            }
            if (clash != null && ambiguity == null) {
                ambiguity = CheckpointException.of(Reason.INVALID, (clash.equals(c.name())
                        ? "the record appears twice in the zip directory"
                        : "the records '" + clash + "' and '" + c.name() + "' have the same name once upper and"
                        + " lower case are folded (torch's zip reader ignores case)")
                        + ": which one torch loads is uncertain (ambiguous zip)").inFile(file).at(c.name(), -1);
            }
            if (!inTop && !r.isDirectory() && ambiguity == null) {
                ambiguity = CheckpointException.of(Reason.INVALID, "the record is not inside the top folder '" + top + "/' that the other records share").inFile(file).at(c.name(), -1);
            }
        }
        checkOverlaps(file, all);
        return new ZipEntries(top, byFolded, List.copyOf(all), ambiguity);
    }

    /**
     * The name of an earlier entry whose raw name bytes equal {@code c}'s once ASCII case is folded
     * (what miniz compares), when that differs from comparing decoded names (which the caller does):
     * only for names with bytes beyond ASCII, since an ASCII name decodes to its bytes' own characters.
     */
    private static String rawClash(Map<String, String> rawSeen, ZipDirectory.Central c) {
        if (ZipNames.isAscii(c.rawName())) {
            return null;
        }
        return rawSeen.putIfAbsent(fold(new String(c.rawName(), StandardCharsets.ISO_8859_1)), c.name());
    }

    private static ZipRecord local(LocalHeaders headers, int index, Path file, ZipDirectory dir,
                                   ZipDirectory.Central c, int nameStart) throws IOException, CheckpointException {
        long lho = c.localHeaderOffset();
        if (lho > dir.cdOffset - ZipDirectory.LOCAL_SIZE) {
            throw fail(file, c, "its local header offset " + lho + " is not before the central directory (byte "
                    + dir.cdOffset + "): corrupt or truncated zip");
        }
        // The header and the name the directory expects in one read; a local name of another length is
        // read on its own below.
        int expected = c.rawName().length;
        int want = (int) Math.min(ZipDirectory.LOCAL_SIZE + (long) expected, dir.cdOffset - lho);
        LocalHeaders.Span span = headers.read(index, lho, want);
        byte[] h = span.bytes();
        int o = span.offset();
        if (ZipDirectory.u32(h, o) != ZipDirectory.SIG_LOCAL) {
            throw fail(file, c, "no local header at byte " + lho + " where the central directory points");
        }
        int method = ZipDirectory.u16(h, o + 8);
        int nameLen = ZipDirectory.u16(h, o + 26);
        int extraLen = ZipDirectory.u16(h, o + 28);
        long dataOffset = Math.addExact(lho, ZipDirectory.LOCAL_SIZE + (long) nameLen + extraLen);
        if (dataOffset > dir.cdOffset) {
            throw fail(file, c, "its local header at byte " + lho + " runs into the central directory");
        }
        boolean sameName = nameLen == expected && want == ZipDirectory.LOCAL_SIZE + expected
                ? Arrays.equals(h, o + ZipDirectory.LOCAL_SIZE, o + want, c.rawName(), 0, expected)
                : Arrays.equals(headers.readName(lho + ZipDirectory.LOCAL_SIZE, nameLen), c.rawName());
        if (!sameName) {
            byte[] localName = headers.readName(lho + ZipDirectory.LOCAL_SIZE, nameLen);
            throw fail(file, c, "the local header at byte " + lho + " names a different entry ('"
                    + new String(localName, java.nio.charset.StandardCharsets.ISO_8859_1) + "')");
        }
        if (method != c.method()) {
            throw fail(file, c, "the local header at byte " + lho + " gives compression method " + method
                    + " but the central directory gives " + c.method());
        }
        if (c.compressedSize() > dir.cdOffset - dataOffset) {
            throw fail(file, c, "its data (" + c.compressedSize() + " bytes at byte " + dataOffset
                    + ") runs past the start of the central directory (byte " + dir.cdOffset
                    + "): corrupt or truncated zip");
        }
        if (c.method() == ZipRecord.STORED && c.compressedSize() != c.size()) {
            throw fail(file, c, "a stored (uncompressed) record whose sizes differ: " + c.compressedSize()
                    + " bytes stored, " + c.size() + " declared");
        }
        if (c.method() == ZipRecord.DEFLATED
                && c.size() > Math.addExact(Math.multiplyExact(c.compressedSize(), MAX_DEFLATE_RATIO), 1024)) {
            throw fail(file, c, "declares " + c.size() + " bytes from " + c.compressedSize()
                    + " compressed, more than deflate can produce (a zip bomb or a corrupt directory)");
        }
        return new ZipRecord(c.name(), nameStart, c.method(), c.flags(), c.crc(), c.compressedSize(), c.size(),
                lho, dataOffset);
    }

    /** Entries sorted by local header must each end before the next begins. */
    private static void checkOverlaps(Path file, List<ZipRecord> all) throws CheckpointException {
        List<ZipRecord> sorted = new ArrayList<>(all);
        // A plain lambda: Comparator.comparingLong spins a class at run time on every start.
        sorted.sort((a, b) -> Long.compare(a.localHeaderOffset(), b.localHeaderOffset()));
        for (int i = 1; i < sorted.size(); i++) {
            ZipRecord prev = sorted.get(i - 1);
            ZipRecord next = sorted.get(i);
            if (prev.dataEnd() > next.localHeaderOffset()) {
                throw CheckpointException.of(Reason.INVALID, "the record overlaps '" + prev.fullName() + "' (bytes " + next.localHeaderOffset()
                        + " to " + prev.dataEnd() + "): overlapping entries are a zip bomb or a forgery").inFile(file).at(next.fullName(), -1);
            }
        }
    }

    private static CheckpointException fail(Path file, ZipDirectory.Central c, String detail) {
        return CheckpointException.of(Reason.INVALID, detail + " (central directory entry at byte " + c.at() + ")").inFile(file).at(c.name(), -1);
    }
}
