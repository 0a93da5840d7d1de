package org.pthconvert.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * Turns central directory entries into {@link ZipRecord}s: reads each local header for the data
 * offset, strips the shared top folder, and checks what the directory alone cannot show: the
 * local header matches its directory entry, data lies before the central directory, no two
 * entries overlap, a stored entry's sizes agree, a deflated one does not claim a ratio deflate
 * cannot reach, no name appears twice.
 */
final class ZipEntries {
    /** Deflate cannot expand data more than about 1032:1 (258-byte matches in 2 bits). */
    private static final long MAX_DEFLATE_RATIO = 1040;

    final String topFolder;
    final Map<String, ZipRecord> byName;

    private ZipEntries(String topFolder, Map<String, ZipRecord> byName) {
        this.topFolder = topFolder;
        this.byName = byName;
    }

    static ZipEntries resolve(FileChannel ch, Path file, ZipDirectory dir) throws IOException, CheckpointException {
        String top = null;
        Map<String, ZipRecord> byName = new LinkedHashMap<>();
        List<ZipRecord> all = new ArrayList<>(dir.entries.size());
        for (ZipDirectory.Central c : dir.entries) {
            ZipRecord r = local(ch, file, dir, c);
            all.add(r);
            if (c.name().endsWith("/") && c.size() == 0) {
                continue; // a directory entry, as zip tools add them
            }
            int slash = c.name().indexOf('/');
            if (top == null) {
                if (slash <= 0) {
                    throw new CheckpointException(Reason.INVALID, file, c.name(), -1, null,
                            "the record is not inside a top folder (torch puts every record under one folder,"
                            + " such as 'archive/'): not a PyTorch zip checkpoint", null);
                }
                top = c.name().substring(0, slash);
            }
            if (slash != top.length() || !c.name().startsWith(top) || slash == c.name().length() - 1) {
                throw new CheckpointException(Reason.INVALID, file, c.name(), -1, null,
                        "the record is not inside the top folder '" + top + "/' that the other records share", null);
            }
            String name = c.name().substring(slash + 1);
            if (byName.put(name, withName(r, name)) != null) {
                throw new CheckpointException(Reason.INVALID, file, c.name(), -1, null,
                        "the record appears twice in the zip directory (ambiguous)", null);
            }
        }
        checkOverlaps(file, all);
        if (top == null) {
            throw ZipDirectory.at(file, dir.cdOffset, "the zip archive holds no records: not a PyTorch checkpoint");
        }
        return new ZipEntries(top, byName);
    }

    private static ZipRecord withName(ZipRecord r, String name) {
        return new ZipRecord(r.fullName(), name, r.method(), r.flags(), r.crc(), r.compressedSize(), r.size(),
                r.localHeaderOffset(), r.dataOffset());
    }

    private static ZipRecord local(FileChannel ch, Path file, ZipDirectory dir, ZipDirectory.Central c)
            throws IOException, CheckpointException {
        long lho = c.localHeaderOffset();
        if (lho > dir.cdOffset - ZipDirectory.LOCAL_SIZE) {
            throw fail(file, c, "its local header offset " + lho + " is not before the central directory (byte "
                    + dir.cdOffset + "): corrupt or truncated zip");
        }
        byte[] h = ZipDirectory.readAt(ch, file, lho, ZipDirectory.LOCAL_SIZE);
        if (ZipDirectory.u32(h, 0) != ZipDirectory.SIG_LOCAL) {
            throw fail(file, c, "no local header at byte " + lho + " where the central directory points");
        }
        int method = ZipDirectory.u16(h, 8);
        int nameLen = ZipDirectory.u16(h, 26);
        int extraLen = ZipDirectory.u16(h, 28);
        long dataOffset = Math.addExact(lho, ZipDirectory.LOCAL_SIZE + (long) nameLen + extraLen);
        if (dataOffset > dir.cdOffset) {
            throw fail(file, c, "its local header at byte " + lho + " runs into the central directory");
        }
        byte[] localName = ZipDirectory.readAt(ch, file, lho + ZipDirectory.LOCAL_SIZE, nameLen);
        if (!Arrays.equals(localName, c.rawName())) {
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
        return new ZipRecord(c.name(), c.name(), c.method(), c.flags(), c.crc(), c.compressedSize(), c.size(),
                lho, dataOffset);
    }

    /** Entries sorted by local header must each end before the next begins. */
    private static void checkOverlaps(Path file, List<ZipRecord> all) throws CheckpointException {
        List<ZipRecord> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(ZipRecord::localHeaderOffset));
        for (int i = 1; i < sorted.size(); i++) {
            ZipRecord prev = sorted.get(i - 1);
            ZipRecord next = sorted.get(i);
            if (prev.dataEnd() > next.localHeaderOffset()) {
                throw new CheckpointException(Reason.INVALID, file, next.fullName(), -1, null,
                        "the record overlaps '" + prev.fullName() + "' (bytes " + next.localHeaderOffset()
                        + " to " + prev.dataEnd() + "): overlapping entries are a zip bomb or a forgery", null);
            }
        }
    }

    private static CheckpointException fail(Path file, ZipDirectory.Central c, String detail) {
        return new CheckpointException(Reason.INVALID, file, c.name(), -1, null,
                detail + " (central directory entry at byte " + c.at() + ")", null);
    }
}
