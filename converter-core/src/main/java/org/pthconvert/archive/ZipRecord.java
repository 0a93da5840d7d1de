package org.pthconvert.archive;

/**
 * One zip entry as the central directory and its local header describe it, validated against the
 * file: its data lies inside the file, before the central directory, overlapping no other entry.
 *
 * @param fullName          entry name including the top folder ({@code archive/data/0})
 * @param nameStart         where the name without the top folder begins in {@code fullName}: after the
 *                          top folder's slash, or 0 for an entry outside the top folder
 * @param method            0 STORED, 8 DEFLATED, anything else is refused when read
 * @param flags             general purpose bit flags
 * @param crc               CRC-32 of the uncompressed data
 * @param compressedSize    bytes of data in the file
 * @param size              bytes once uncompressed
 * @param localHeaderOffset file offset of the local header
 * @param dataOffset        file offset of the first data byte (after the local header's own name and
 *                          extra field, which torch pads to 64-byte alignment)
 */
public record ZipRecord(String fullName, int nameStart, int method, int flags, long crc, long compressedSize,
                        long size, long localHeaderOffset, long dataOffset) {

    public static final int STORED = 0;
    public static final int DEFLATED = 8;

    /**
     * Record name without the top folder ({@code data/0}); the full name for an entry outside it. Made
     * on each call: a checkpoint of 100,000 tensors has 100,000 records, and the full name serves.
     */
    public String name() { return fullName.substring(nameStart); }

    /** True when the entry lies inside the archive's top folder. */
    public boolean inTopFolder() { return nameStart > 0; }

    /** True for a directory entry, as zip tools add them: a name ending in a slash, no data. */
    public boolean isDirectory() { return size == 0 && fullName.endsWith("/"); }

    /** True when the bytes can be read in place. */
    public boolean stored() { return method == STORED; }

    /** File offset one past the last data byte. */
    public long dataEnd() { return dataOffset + compressedSize; }

    /** Bytes of data to skip until the next multiple of {@code n} would be reached (0 if aligned). */
    public long misalignment(int n) { return Math.floorMod(dataOffset, n); }
}
