package org.pthconvert.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.BufferedStream;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.ChannelRangeStream;
import org.pthconvert.io.CheckpointIOException;

/**
 * Reads a zip file's structure with positional reads: the end of central directory record (found
 * as torch's reader, miniz, finds it: see {@link #locateEnd}), the ZIP64 locator and record when present,
 * every central directory entry (with its ZIP64 extra field) and then every entry's local header,
 * which gives the data offset. Everything is checked against the file size with overflow-checked
 * arithmetic; any inconsistency is an {@link Reason#INVALID} error giving the byte offset.
 * What it returns is checked further by {@link ZipEntries} (names, overlaps, sizes).
 */
final class ZipDirectory {
    /** More entries than this is not a checkpoint (torch writes a few per tensor storage at most). */
    static final long MAX_ENTRIES = 10_000_000;

    static final int SIG_LOCAL = 0x04034b50;
    private static final int SIG_CENTRAL = 0x02014b50;
    private static final int SIG_EOCD = 0x06054b50;
    /** The signature's first byte in the file (it is stored little-endian). */
    private static final byte EOCD_FIRST_BYTE = (byte) (SIG_EOCD & 0xff);
    private static final int SIG_Z64_LOCATOR = 0x07064b50;
    private static final int SIG_Z64_EOCD = 0x06064b50;
    private static final int EOCD_SIZE = 22;
    private static final int Z64_LOCATOR_SIZE = 20;
    private static final int Z64_EOCD_SIZE = 56;
    private static final int CENTRAL_SIZE = 46;
    static final int LOCAL_SIZE = 30;
    /**
     * How far back from the end miniz (torch's zip reader) looks for the end record: blocks of 4096
     * bytes stepping back 4093 at a time until it has gone 64 KiB + 22 bytes back, so 17 blocks.
     */
    static final int MINIZ_WINDOW = 4096 + 16 * 4093;

    final long fileSize;
    final long cdOffset;
    final long cdSize;
    final ZipCentrals entries;
    /** Why another reader could read another directory than torch, or null. */
    final CheckpointException ambiguity;

    private final Path file;

    private ZipDirectory(Path file, long fileSize, long cdOffset, long cdSize, ZipCentrals entries,
                         CheckpointException ambiguity) {
        this.ambiguity = ambiguity;
        this.file = file;
        this.fileSize = fileSize;
        this.cdOffset = cdOffset;
        this.cdSize = cdSize;
        this.entries = entries;
    }

    static ZipDirectory read(ByteSource ch, Path file) throws IOException, CheckpointException {
        long fileSize = ch.size();
        if (fileSize < EOCD_SIZE) {
            throw at(file, 0, "central directory not found: the file is too short to be a zip (" + fileSize
                    + " bytes); truncated or not a zip");
        }
        int tailLen = (int) Math.min(fileSize, MINIZ_WINDOW);
        long tailStart = fileSize - tailLen;
        byte[] tail = readAt(ch, file, tailStart, tailLen);
        CheckpointException[] ambiguity = new CheckpointException[1];
        int found = locateEnd(file, tail, tailStart, ambiguity);
        long eocd = tailStart + found;
        long disk = u16(tail, found + 4);
        long cdDisk = u16(tail, found + 6);
        long entriesHere = u16(tail, found + 8);
        long entries = u16(tail, found + 10);
        long cdSize = u32(tail, found + 12);
        long cdOffset = u32(tail, found + 16);
        long cdEnd = eocd;
        if (eocd >= Z64_LOCATOR_SIZE) {
            // miniz only looks for a locator when a ZIP64 end record could fit before it.
            long locAt = eocd - Z64_LOCATOR_SIZE;
            byte[] loc = readAt(ch, file, locAt, Z64_LOCATOR_SIZE);
            if (u32(loc, 0) == SIG_Z64_LOCATOR) {
                if (eocd < Z64_LOCATOR_SIZE + Z64_EOCD_SIZE) {
                    throw at(file, locAt, "a ZIP64 locator without room for a ZIP64 end record before it: torch's"
                            + " reader ignores it, others would not (ambiguous zip)");
                }
                long pointed = nonNegative(file, locAt + 8, u64(loc, 8), "ZIP64 end record offset");
                if (u32(loc, 16) != 1 || u32(loc, 4) != 0) {
                    throw split(file, locAt);
                }
                // miniz 3 first tries a ZIP64 end record right before the locator, and follows the
                // locator's offset only when there is none; other readers follow the offset.
                long adjacent = locAt - Z64_EOCD_SIZE;
                byte[] z = readAt(ch, file, adjacent, Z64_EOCD_SIZE);
                long z64At = adjacent;
                if (u32(z, 0) != SIG_Z64_EOCD) {
                    if (pointed > locAt - Z64_EOCD_SIZE) {
                        throw at(file, locAt, "the ZIP64 locator points at byte " + pointed
                                + ", which leaves no room for a ZIP64 end record before it");
                    }
                    z = readAt(ch, file, pointed, Z64_EOCD_SIZE);
                    z64At = pointed;
                    if (u32(z, 0) != SIG_Z64_EOCD) {
                        throw at(file, pointed, "no ZIP64 end of central directory record where the locator points");
                    }
                } else if (pointed != adjacent && ambiguity[0] == null) {
                    ambiguity[0] = at(file, locAt, "the ZIP64 locator points at byte " + pointed + ", but a ZIP64 end"
                            + " record lies right before the locator (at byte " + adjacent + "), which torch's reader"
                            + " takes: readers disagree on which directory is the zip's (ambiguous zip)");
                }
                disk = u32(z, 16);
                cdDisk = u32(z, 20);
                entriesHere = nonNegative(file, z64At + 24, u64(z, 24), "entry count");
                entries = nonNegative(file, z64At + 32, u64(z, 32), "entry count");
                cdSize = nonNegative(file, z64At + 40, u64(z, 40), "central directory size");
                cdOffset = nonNegative(file, z64At + 48, u64(z, 48), "central directory offset");
                cdEnd = z64At;
            }
        }
        if (disk != 0 || cdDisk != 0 || entriesHere != entries) {
            throw split(file, eocd);
        }
        if (entries > MAX_ENTRIES) {
            throw CheckpointException.of(Reason.LIMIT, "the zip declares " + entries
                    + " entries, more than the limit of " + MAX_ENTRIES).inFile(file).at(null, eocd);
        }
        if (cdOffset > fileSize) {
            throw at(file, eocd, "the central directory offset " + cdOffset + " is past the end of the file ("
                    + fileSize + " bytes): file truncated");
        }
        if (Math.addExact(cdOffset, cdSize) > cdEnd) {
            throw at(file, eocd, "the central directory (" + cdSize + " bytes at " + cdOffset
                    + ") runs past its end record at " + cdEnd + ": file truncated or corrupt");
        }
        if (cdSize < Math.multiplyExact(entries, (long) CENTRAL_SIZE)) {
            throw at(file, eocd, "the central directory is " + cdSize + " bytes, too small for " + entries
                    + " entries");
        }
        // Bytes between the directory and its end record are refused, unless the end record is already
        // known to be ambiguous (a copy hidden in a comment): then the directory torch reads is read for
        // the audit, and the ambiguity refuses the file afterwards.
        if (cdOffset + cdSize != cdEnd && ambiguity[0] == null) {
            throw at(file, eocd, "the central directory ends at byte " + (cdOffset + cdSize)
                    + " but its end record is at " + cdEnd + " (bytes added before or inside the zip?)");
        }
        ZipCentrals list = readCentral(ch, file, cdOffset, cdSize, (int) entries);
        return new ZipDirectory(file, fileSize, cdOffset, cdSize, list, ambiguity[0]);
    }

    /**
     * The end record's index in {@code tail} (the file's last bytes, from {@code tailStart}), found
     * as miniz finds it: the last signature with at least 22 bytes after it, whatever its comment
     * length says. Readers that instead check that the comment reaches the end of the file (Java's,
     * commons-compress) could take another one, so the archive is ambiguous ({@code ambiguity[0]})
     * when the chosen record's comment does not end exactly at the end of the file, or when an
     * earlier signature's does. The directory torch reads is still read, for its pickles' audit.
     */
    private static int locateEnd(Path file, byte[] tail, long tailStart, CheckpointException[] ambiguity)
            throws CheckpointException {
        // Both scans test the signature's first byte before the whole word: they run once per file,
        // cold (interpreted), and the second goes over the whole window, 68 KiB, where a call per byte
        // cost a conversion several milliseconds.
        int chosen = -1;
        for (int i = tail.length - EOCD_SIZE; i >= 0; i--) {
            if (tail[i] == EOCD_FIRST_BYTE && u32(tail, i) == SIG_EOCD) {
                chosen = i;
                break;
            }
        }
        if (chosen < 0) {
            throw at(file, tailStart, "central directory not found: file truncated or not a zip (no end of central"
                    + " directory record in the last " + tail.length + " bytes)");
        }
        if (chosen + EOCD_SIZE + u16(tail, chosen + 20) != tail.length) {
            ambiguity[0] = at(file, tailStart + chosen, "the end of central directory record torch's reader takes (the last"
                    + " one) declares a " + u16(tail, chosen + 20) + "-byte comment that does not end at the end of"
                    + " the file: other readers would take another record (ambiguous zip)");
            return chosen;
        }
        for (int i = chosen - 1; i >= 0; i--) {
            if (tail[i] == EOCD_FIRST_BYTE && u32(tail, i) == SIG_EOCD && i + EOCD_SIZE <= tail.length
                    && i + EOCD_SIZE + u16(tail, i + 20) == tail.length) {
                ambiguity[0] = at(file, tailStart + i, "a second end of central directory record: the one at byte "
                        + (tailStart + chosen) + " is hidden in its archive comment, and readers disagree on which"
                        + " directory is the zip's (ambiguous zip)");
                break;
            }
        }
        return chosen;
    }

    private static ZipCentrals readCentral(ByteSource ch, Path file, long cdOffset, long cdSize, int count)
            throws IOException, CheckpointException {
        ZipCentrals out = new ZipCentrals(count, cdSize - (long) count * CENTRAL_SIZE);
        InputStream in = new BufferedStream(
                new ChannelRangeStream(ch, cdOffset, cdSize, file, null, ChannelRangeStream.NO_CRC), 1 << 16);
        long pos = cdOffset;
        // One header array, one name array and one extra-field array serve every entry.
        byte[] h = new byte[CENTRAL_SIZE];
        byte[] raw = new byte[0xFFFF];
        byte[] extra = new byte[0xFFFF];
        long[] z = new long[4];
        int i = 0;
        try {
            for (; i < count; i++) {
                pos = readEntry(in, file, out, i, pos, h, raw, extra, z);
            }
        } catch (java.io.EOFException e) {
            throw at(file, pos, "the central directory is cut short inside entry " + i);
        } catch (CheckpointIOException e) {
            throw e.problem();
        }
        if (pos != cdOffset + cdSize) {
            throw at(file, pos, "the central directory holds " + (cdOffset + cdSize - pos)
                    + " bytes beyond its " + count + " declared entries");
        }
        return out;
    }

    /**
     * Reads and checks central directory entry {@code i} at {@code pos} into {@code out}; returns
     * where the next one starts. A method of its own, called per entry, so that the JIT compiles it
     * after a few entries, where a loop body waits for on-stack replacement (100,000 entries in a
     * checkpoint of as many tensors).
     */
    private static long readEntry(InputStream in, Path file, ZipCentrals out, int i, long pos, byte[] h, byte[] raw,
                                  byte[] extra, long[] z) throws IOException, CheckpointException {
        readFully(in, h, CENTRAL_SIZE, file, pos, i);
        if (u32(h, 0) != SIG_CENTRAL) {
            throw at(file, pos, "central directory entry " + i + " has a bad signature: corrupt zip");
        }
        int flags = u16(h, 8);
        int method = u16(h, 10);
        long crc = u32(h, 16);
        long csize = u32(h, 20);
        long size = u32(h, 24);
        int nameLen = u16(h, 28);
        int extraLen = u16(h, 30);
        int commentLen = u16(h, 32);
        long diskStart = u16(h, 34);
        long lho = u32(h, 42);
        readFully(in, raw, nameLen, file, pos, i);
        readFully(in, extra, extraLen, file, pos, i);
        in.skipNBytes(commentLen);
        checkName(file, pos, i, raw, nameLen, flags);
        z[0] = size;
        z[1] = csize;
        z[2] = lho;
        z[3] = diskStart;
        zip64(file, pos, raw, nameLen, flags, extra, extraLen, z);
        if (z[3] != 0) {
            throw split(file, pos);
        }
        if ((flags & 1) != 0) {
            throw CheckpointException.of(Reason.UNSUPPORTED, "the record is encrypted").inFile(file)
                    .at(shown(raw, nameLen, flags), -1);
        }
        out.add(i, pos, raw, nameLen, flags, method, crc, z[1], z[0], z[2]);
        return Math.addExact(pos, CENTRAL_SIZE + (long) nameLen + extraLen + commentLen);
    }

    /**
     * A name must decode and be neither empty nor hold a NUL. An ASCII name decodes as itself, and a
     * NUL character can only come from a zero byte (in UTF-8 and in CP437): most names are checked
     * on their bytes alone, without being decoded.
     */
    private static void checkName(Path file, long pos, int i, byte[] raw, int n, int flags)
            throws CheckpointException {
        boolean ascii = true;
        boolean nul = false;
        for (int j = 0; j < n; j++) {
            ascii &= raw[j] >= 0;
            nul |= raw[j] == 0;
        }
        if (!ascii && ZipNames.decode(Arrays.copyOf(raw, n), flags) == null) {
            throw at(file, pos, "entry name '" + shown(raw, n, flags) + "' is flagged UTF-8 but is not valid UTF-8");
        }
        if (n == 0 || nul) {
            throw at(file, pos, "entry " + i + " has an empty name or a name containing NUL");
        }
    }

    /** The first {@code n} bytes of {@code raw} as a name for messages. */
    private static String shown(byte[] raw, int n, int flags) {
        return ZipCentrals.decode(Arrays.copyOf(raw, n), flags);
    }

    /**
     * Replaces the 0xFFFFFFFF fields of {@code z} = (size, compressed size, local header offset,
     * disk) by the values in the ZIP64 extra field (id 1), which holds them in that order, only
     * those that overflowed.
     */
    private static void zip64(Path file, long at, byte[] raw, int nameLength, int flags, byte[] extra,
                              int extraLength, long[] z) throws CheckpointException {
        if (z[0] != 0xFFFFFFFFL && z[1] != 0xFFFFFFFFL && z[2] != 0xFFFFFFFFL && z[3] != 0xFFFF) {
            return; // no field overflowed: nothing to look up (and nothing made, once per entry)
        }
        boolean[] need = {z[0] == 0xFFFFFFFFL, z[1] == 0xFFFFFFFFL, z[2] == 0xFFFFFFFFL, z[3] == 0xFFFF};
        int p = 0;
        while (p + 4 <= extraLength) {
            int id = u16(extra, p);
            int len = u16(extra, p + 2);
            if (p + 4 + len > extraLength) {
                break;
            }
            if (id == 1) {
                int q = p + 4;
                int end = q + len;
                for (int f = 0; f < 4; f++) {
                    if (!need[f]) {
                        continue;
                    }
                    int w = f == 3 ? 4 : 8;
                    if (q + w > end) {
                        throw CheckpointException.of(Reason.INVALID, "the ZIP64 extra field (central directory entry at byte " + at + ") is too short").inFile(file).at(shown(raw, nameLength, flags), -1);
                    }
                    z[f] = f == 3 ? u32(extra, q) : nonNegative(file, at, u64(extra, q), "ZIP64 size or offset");
                    q += w;
                }
                return;
            }
            p += 4 + len;
        }
        throw CheckpointException.of(Reason.INVALID, "sizes or offset are 0xFFFFFFFF but"
                + " there is no ZIP64 extra field (central directory entry at byte " + at + ")").inFile(file).at(shown(raw, nameLength, flags), -1);
    }

    /** Reads exactly {@code n} bytes into the start of {@code b}. */
    private static void readFully(InputStream in, byte[] b, int n, Path file, long at, int entry)
            throws IOException, CheckpointException {
        if (n > 0 && in.readNBytes(b, 0, n) != n) {
            throw at(file, at, "the central directory is cut short inside central directory entry " + entry);
        }
    }

    /** Reads exactly {@code n} bytes at file offset {@code pos}. */
    static byte[] readAt(ByteSource ch, Path file, long pos, int n) throws IOException, CheckpointException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        long at = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(at, buf);
            if (r < 0) {
                throw at(file, at, "unexpected end of file: truncated");
            }
            at += r;
        }
        return buf.array();
    }

    static CheckpointException at(Path file, long offset, String detail) {
        return CheckpointException.at(Reason.INVALID, file, null, offset, detail);
    }

    private static CheckpointException split(Path file, long offset) {
        return CheckpointException.of(Reason.UNSUPPORTED, "multi-part (split or spanned) zip archives are not supported").inFile(file).at(null, offset);
    }

    private static long nonNegative(Path file, long at, long v, String what) throws CheckpointException {
        if (v < 0) {
            throw at(file, at, what + " " + Long.toUnsignedString(v) + " is too large");
        }
        return v;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static long u32(byte[] b, int off) {
        return (u16(b, off) | (long) u16(b, off + 2) << 16) & 0xFFFFFFFFL;
    }

    static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    @Override
    public String toString() {
        return "ZipDirectory[" + file + ", " + entries.count() + " entries, central directory " + cdOffset + "+"
                + cdSize + " of " + fileSize + " bytes]";
    }
}
