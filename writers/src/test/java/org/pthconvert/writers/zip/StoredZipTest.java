package org.pthconvert.writers.zip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.writers.ArraySource;

/** The zip layout torch's writer uses: aligned STORED data, "FB" padding, descriptors, ZIP64 past 4 GiB. */
class StoredZipTest {

    @TempDir
    Path dir;

    @Test
    void everyRecordsDataStartsOn64Bytes() throws Exception {
        Path f = dir.resolve("a.zip");
        List<String> names = List.of("a/data.pkl", "a/byteorder", "a/data/0", "a/data/10", "a/.data/serialization_id");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            StoredZip z = new StoredZip(ch);
            int i = 0;
            for (String n : names) {
                z.record(n, ("x".repeat(i++ * 37 + 1)).getBytes(StandardCharsets.US_ASCII));
            }
            z.finish();
        }
        try (ZipFile zip = new ZipFile(f.toFile()); FileChannel ch = FileChannel.open(f)) {
            List<String> got = new ArrayList<>();
            for (ZipEntry e : Collections.list(zip.entries())) {
                got.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod());
            }
            assertEquals(names, got);
            long pos = 0;
            for (String n : names) {
                ByteBuffer h = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(h, pos);
                assertEquals(0x04034b50, h.getInt(0));
                assertEquals(0x0808, h.getShort(6));
                int nameLen = h.getShort(26);
                int extraLen = h.getShort(28);
                ByteBuffer extra = ByteBuffer.allocate(extraLen);
                ch.read(extra, pos + 30 + nameLen);
                assertEquals('F', extra.get(0));
                assertEquals('B', extra.get(1));
                long data = pos + 30 + nameLen + extraLen;
                assertEquals(0, data % 64, n);
                long size = zip.getEntry(n).getSize();
                pos = data + size + 16;
            }
        }
    }

    @Test
    void heapRecordsLargerThanTheWriteBufferGoThroughItWhole() throws Exception {
        Path f = dir.resolve("big.zip");
        byte[] big = new byte[3 * (1 << 20) + 12345];   // three write buffers and a piece, after a header
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >>> 11));
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(big);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            StoredZip z = new StoredZip(ch);
            z.record("b/data.pkl", ByteBuffer.wrap(big));
            z.record("b/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            z.finish();
        }
        try (ZipFile zip = new ZipFile(f.toFile())) {
            ZipEntry e = zip.getEntry("b/data.pkl");
            assertEquals(crc.getValue(), e.getCrc());
            assertArrayEquals(big, zip.getInputStream(e).readAllBytes());
            assertArrayEquals("3\n".getBytes(StandardCharsets.US_ASCII), zip.getInputStream(zip.getEntry("b/version")).readAllBytes());
        }
    }

    /** A small record made in the heap, then each payload copied as record a/data/i (no CRC declared). */
    private static void copyAll(Path f, byte[][] payloads) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ); StoredZip z = new StoredZip(ch)) {
            z.record("a/small", "x".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < payloads.length; i++) {
                z.begin("a/data/" + i, payloads[i].length);
                z.copy(new ArraySource(payloads[i]));
                z.end();
            }
            z.finish();
        }
    }

    /** Many small records gathered with their headers into few writes still make a zip every reader reads. */
    @Test
    void manySmallRecordsAreGathered() throws Exception {
        Path f = dir.resolve("many.zip");
        java.util.Random r = new java.util.Random(9);
        byte[][] payloads = new byte[5000][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = new byte[r.nextInt(3000)];
            r.nextBytes(payloads[i]);
        }
        copyAll(f, payloads);
        try (ZipFile zip = new ZipFile(f.toFile())) {
            for (int i = 0; i < payloads.length; i++) {
                assertArrayEquals(payloads[i], zip.getInputStream(zip.getEntry("a/data/" + i)).readAllBytes(), "record " + i);
            }
        }
    }

    /**
     * Records copied straight to the file get their CRC-32 from the background read-back: right in
     * the central directory and in the data descriptor (ZipInputStream checks the descriptor and the
     * bytes), for records of 0 bytes, a few bytes, and more than one read-back chunk.
     */
    @Test
    void copiedRecordsGetTheirCrcInDescriptorAndDirectory() throws Exception {
        Path f = dir.resolve("copied.zip");
        byte[][] payloads = {new byte[0], "abc".getBytes(StandardCharsets.US_ASCII), new byte[(3 << 20) + 17], new byte[StoredZip.GATHER + 5]};
        new java.util.Random(7).nextBytes(payloads[2]);
        copyAll(f, payloads);
        try (ZipFile zip = new ZipFile(f.toFile())) {
            for (int i = 0; i < payloads.length; i++) {
                java.util.zip.CRC32 c = new java.util.zip.CRC32();
                c.update(payloads[i]);
                assertEquals(c.getValue(), zip.getEntry("a/data/" + i).getCrc(), "record " + i);
            }
        }
        try (ZipFile zip = new ZipFile(f.toFile()); FileChannel ch = FileChannel.open(f)) {
            long pos = 0;
            for (ZipEntry e : Collections.list(zip.entries())) {
                ByteBuffer h = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(h, pos);
                long data = pos + 30 + h.getShort(26) + h.getShort(28);
                ByteBuffer d = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(d, data + e.getSize());
                assertEquals(0x08074b50, d.getInt(0), e.getName());
                assertEquals((int) e.getCrc(), d.getInt(4), "descriptor of " + e.getName());
                pos = data + e.getSize() + 16;
            }
        }
    }

    /**
     * A record of heap bytes then bytes copied with a declared CRC gets the CRC joined from both, read
     * back from nowhere: a declared CRC that is not the bytes' own is carried as declared (which is
     * what shows that nothing was read back), and a right one gives the right CRC.
     */
    @Test
    void declaredCrcIsJoinedNotReadBack() throws Exception {
        Path f = dir.resolve("declared.zip");
        byte[] header = "npy header".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[StoredZip.GATHER + 1]; // copied file to file, not gathered
        new java.util.Random(3).nextBytes(body);
        java.util.zip.CRC32 bodyCrc = new java.util.zip.CRC32();
        bodyCrc.update(body);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ); StoredZip z = new StoredZip(ch)) {
            z.begin("a/right", header.length + body.length);
            z.data(ByteBuffer.wrap(header));
            z.copy(new ArraySource(body, 1000, java.util.OptionalLong.of(bodyCrc.getValue())));
            z.end();
            z.begin("a/declared", body.length);
            z.copy(new ArraySource(body, 1000, java.util.OptionalLong.of(0x12345678L)));
            z.end();
            z.finish();
        }
        try (ZipFile zip = new ZipFile(f.toFile())) {
            java.util.zip.CRC32 whole = new java.util.zip.CRC32();
            whole.update(header);
            whole.update(body);
            assertEquals(whole.getValue(), zip.getEntry("a/right").getCrc());
            byte[] right = zip.getInputStream(zip.getEntry("a/right")).readAllBytes(); // checks the CRC
            assertArrayEquals(body, java.util.Arrays.copyOfRange(right, header.length, right.length));
            assertEquals(0x12345678L, zip.getEntry("a/declared").getCrc());
        }
    }

    /** Records past 4 GiB (a sparse file: nothing is written before them) carry ZIP64 offsets. */
    @Test
    void recordsPast4GiBUseZip64() throws Exception {
        Path f = dir.resolve("far.zip");
        byte[] payload = "weights".repeat(20).getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.position((4L << 30) + 5);
            StoredZip z = new StoredZip(ch);
            z.record("far/data.pkl", new byte[] {1, 2, 3});
            z.begin("far/data/0", payload.length);
            z.data(ByteBuffer.wrap(payload, 0, 50));
            z.data(ByteBuffer.wrap(payload, 50, payload.length - 50));
            z.end();
            z.finish();
        }
        try (ZipFile zip = new ZipFile(f.toFile())) {
            assertArrayEquals(new byte[] {1, 2, 3}, zip.getInputStream(zip.getEntry("far/data.pkl")).readAllBytes());
            assertArrayEquals(payload, zip.getInputStream(zip.getEntry("far/data/0")).readAllBytes());
        }
    }
}
