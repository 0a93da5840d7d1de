package org.pthconvert.inputs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * The directory of one {@code torch.save} zip stored at {@code [start, start + length)} of a
 * {@code .distcp} file (a DCP chunk or bytes item). Offsets inside are relative to the zip's start.
 * Only what torch writes is accepted: STORED records, every structure and every record's data
 * inside the range, the range inside the file. ZIP64 (chunks of 4 GiB and more) is read from the
 * ZIP64 end record and extra fields.
 */
final class ChunkArchive {
    private static final int EOCD = 0x06054b50;
    private static final int Z64_LOCATOR = 0x07064b50;
    private static final int Z64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int MAX_RECORDS = 64;

    /** One record's data: {@code size} bytes at absolute file offset {@code dataOffset}. */
    record Record(long dataOffset, long size) {
    }

    private final Map<String, Record> records;

    private ChunkArchive(Map<String, Record> records) {
        this.records = records;
    }

    Record get(String name) { return records.get(name); }

    /**
     * @param what names the item in errors ({@code tensor 'x' chunk [4, 0]})
     */
    static ChunkArchive read(FileChannel ch, Path file, String fqn, long start, long length)
            throws IOException, CheckpointException {
        long fileSize = ch.size();
        if (start > fileSize || length > fileSize - start) {
            throw fail(file, fqn, start, "its stored range [" + start + ", " + (start + length)
                    + ") runs past the end of the file (" + fileSize + " bytes)");
        }
        if (length < 22) {
            throw fail(file, fqn, start, "its stored range of " + length + " bytes is too short for a zip");
        }
        long end = start + length;
        ByteBuffer eocd = read(ch, end - 22, 22);
        if (eocd.getInt(0) != EOCD) {
            throw fail(file, fqn, end - 22, "no zip end record at the end of its stored range (a torch.save archive"
                    + " with a comment, or not one at all)");
        }
        long count = eocd.getShort(10) & 0xffff;
        long cdSize = eocd.getInt(12) & 0xffffffffL;
        long cdOffset = eocd.getInt(16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            if (length < 22 + 20 + 56) {
                throw fail(file, fqn, start, "a ZIP64 marker in a range too short for ZIP64 records");
            }
            ByteBuffer loc = read(ch, end - 22 - 20, 20);
            if (loc.getInt(0) != Z64_LOCATOR) {
                throw fail(file, fqn, end - 42, "ZIP64 sizes without a ZIP64 locator");
            }
            long z64 = loc.getLong(8);
            checkInside(file, fqn, start, length, z64, 56);
            ByteBuffer ze = read(ch, start + z64, 56);
            if (ze.getInt(0) != Z64_EOCD) {
                throw fail(file, fqn, start + z64, "no ZIP64 end record where the locator points");
            }
            count = ze.getLong(32);
            cdSize = ze.getLong(40);
            cdOffset = ze.getLong(48);
        }
        if (count > MAX_RECORDS) {
            throw fail(file, fqn, start, "its archive claims " + count + " records; torch.save writes a handful");
        }
        checkInside(file, fqn, start, length, cdOffset, cdSize);
        if (cdSize > 1 << 16) {
            throw fail(file, fqn, start + cdOffset, "a central directory of " + cdSize + " bytes");
        }
        ByteBuffer cd = read(ch, start + cdOffset, (int) cdSize);
        Map<String, Record> records = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL) {
                throw fail(file, fqn, start + cdOffset + p, "a broken central directory");
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw fail(file, fqn, start + cdOffset + p, "a central directory entry past its end");
            }
            byte[] nb = new byte[nameLen];
            cd.get(p + 46, nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            long[] z = {usize, csize, local};
            zip64(cd, p + 46 + nameLen, extraLen, z);
            usize = z[0];
            csize = z[1];
            local = z[2];
            if (method != 0 || csize != usize) {
                throw CheckpointException.of(Reason.UNSUPPORTED, "record " + name + " of its archive is compressed (method " + method + "); torch.save stores").inFile(file).at(null, start + cdOffset + p).forTensor(fqn);
            }
            checkInside(file, fqn, start, length, local, 30);
            ByteBuffer lh = read(ch, start + local, 30);
            if (lh.getInt(0) != LOCAL) {
                throw fail(file, fqn, start + local, "no local header for record " + name);
            }
            long data = local + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
            checkInside(file, fqn, start, length, data, usize);
            int slash = name.indexOf('/');
            String shortName = slash >= 0 ? name.substring(slash + 1) : name;
            if (records.put(shortName, new Record(start + data, usize)) != null) {
                throw fail(file, fqn, start + cdOffset + p, "record " + shortName + " appears twice");
            }
            p += 46 + nameLen + extraLen + commentLen;
        }
        return new ChunkArchive(records);
    }

    private static void zip64(ByteBuffer cd, int at, int len, long[] z) {
        int p = at;
        while (p + 4 <= at + len) {
            int id = cd.getShort(p) & 0xffff;
            int size = cd.getShort(p + 2) & 0xffff;
            if (id == 1) {
                int q = p + 4;
                for (int i = 0; i < 3 && q + 8 <= p + 4 + size; i++) {
                    if (z[i] == 0xffffffffL) {
                        z[i] = cd.getLong(q);
                        q += 8;
                    }
                }
            }
            p += 4 + size;
        }
    }

    private static void checkInside(Path file, String fqn, long start, long length, long at, long size)
            throws CheckpointException {
        if (at < 0 || size < 0 || at > length || size > length - at) {
            throw fail(file, fqn, start, "its archive points at bytes [" + at + ", " + (at + size)
                    + ") outside its stored range of " + length + " bytes");
        }
    }

    static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        long pos = at;
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) {
                throw new java.io.EOFException("file ends at " + pos);
            }
            pos += r;
        }
        return b.flip();
    }

    static CheckpointException fail(Path file, String fqn, long offset, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).at(null, offset).forTensor(fqn);
    }
}
