package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.StorageBytes;

/** Hostile and broken zips: each must fail with one CheckpointException saying where, never anything else. */
class ZipCorruptionTest {
    @TempDir
    Path dir;

    private Path write(byte[] content) throws IOException {
        Path p = Files.createTempFile(dir, "bad", ".pt");
        Files.write(p, content);
        return p;
    }

    private CheckpointException openFails(byte[] content, Reason reason, String... phrases) throws IOException {
        Path p = write(content);
        CheckpointException e = Refusals.of(p);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(p, e.file());
        for (String phrase : phrases) {
            assertTrue(e.getMessage().contains(phrase), e.getMessage());
        }
        return e;
    }

    /** Makes the central directory declare {@code n} bytes, stored and uncompressed, for record {@code name}. */
    private static void declareSize(RawZip.Built b, String name, long n) {
        long cd = b.central.get(name);
        b.putU32(cd + 20, n);
        b.putU32(cd + 24, n);
    }

    private static RawZip.Built sample() {
        return ZipContainerTest.torchLike("sd", ZipContainerTest.bytes(4000, 1), ZipContainerTest.bytes(64, 2)).build();
    }

    @Test
    void truncatedInHalf() throws Exception {
        byte[] z = sample().bytes;
        CheckpointException e = openFails(Arrays.copyOf(z, z.length / 2), Reason.INVALID,
                "central directory not found: file truncated or not a zip");
        assertTrue(e.offset() >= 0);
    }

    @Test
    void endRecordMissing() throws Exception {
        byte[] z = sample().bytes;
        openFails(Arrays.copyOf(z, z.length - 22), Reason.INVALID, "central directory not found");
    }

    @Test
    void tooShort() throws Exception {
        openFails(new byte[] {'P', 'K', 3, 4, 0}, Reason.INVALID, "too short");
    }

    @Test
    void centralDirectoryOffsetPastEof() throws Exception {
        RawZip.Built b = sample();
        b.putU32(b.eocdOffset + 16, b.bytes.length + 1000L);
        openFails(b.bytes, Reason.INVALID, "past the end of the file");
    }

    @Test
    void centralDirectorySizeInconsistent() throws Exception {
        RawZip.Built b = sample();
        b.putU32(b.eocdOffset + 12, 10);
        openFails(b.bytes, Reason.INVALID, "too small for 8 entries");
        RawZip.Built c = sample();
        c.putU32(c.eocdOffset + 12, c.eocdOffset - c.cdOffset + 5);
        openFails(c.bytes, Reason.INVALID, "runs past its end record");
    }

    @Test
    void entryCountTooLargeForDirectory() throws Exception {
        RawZip.Built b = sample();
        b.putU16(b.eocdOffset + 8, 9);
        b.putU16(b.eocdOffset + 10, 9);
        openFails(b.bytes, Reason.INVALID, "cut short");
    }

    @Test
    void entryCountOverLimit() throws Exception {
        RawZip.Built b = ZipContainerTest.torchLike("sd", new byte[8], new byte[8]).zip64(true).build();
        b.putU64(b.zip64EocdOffset + 24, 20_000_000L);
        b.putU64(b.zip64EocdOffset + 32, 20_000_000L);
        openFails(b.bytes, Reason.LIMIT, "20000000 entries");
    }

    @Test
    void entryDataPastCentralDirectory() throws Exception {
        RawZip.Built b = sample();
        declareSize(b, "sd/data/0", 1_000_000);
        openFails(b.bytes, Reason.INVALID, "sd/data/0", "runs past the start of the central directory");
    }

    @Test
    void localHeaderOffsetPastEof() throws Exception {
        RawZip.Built b = sample();
        b.putU32(b.central.get("sd/data/1") + 42, b.bytes.length + 5L);
        openFails(b.bytes, Reason.INVALID, "sd/data/1", "not before the central directory");
    }

    @Test
    void localHeaderMissing() throws Exception {
        RawZip.Built b = sample();
        b.putU32(b.central.get("sd/data/1") + 42, 3);
        openFails(b.bytes, Reason.INVALID, "no local header at byte 3");
    }

    @Test
    void localNameDiffers() throws Exception {
        RawZip.Built b = sample();
        b.bytes[(int) (b.local.get("sd/data/1") + 30 + 8)] = '9';
        openFails(b.bytes, Reason.INVALID, "names a different entry");
    }

    @Test
    void overlappingEntries() throws Exception {
        RawZip.Built b = sample();
        declareSize(b, "sd/data/0", 4200);
        openFails(b.bytes, Reason.INVALID, "overlaps");
    }

    @Test
    void overlappingEntriesListedOutOfOrder() throws Exception {
        // The directory lists data/1 before data/0, so the check sorts by local header first.
        RawZip.Built b = ZipContainerTest.torchLike("sd", ZipContainerTest.bytes(4000, 1), ZipContainerTest.bytes(64, 2))
                .centralOrder(0, 1, 2, 3, 5, 4, 6, 7).build();
        declareSize(b, "sd/data/0", 4200);
        openFails(b.bytes, Reason.INVALID, "overlaps 'sd/data/0'", "sd/data/1");
    }

    @Test
    void storageNamesEqualOnceFolded() throws Exception {
        byte[] z = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE).add("a/data/0", new byte[4])
                .add("a/DATA/0", new byte[4]).build().bytes;
        openFails(z, Reason.INVALID, "'a/data/0' and 'a/DATA/0'", "ambiguous zip");
    }

    @Test
    void storedSizesDiffer() throws Exception {
        RawZip.Built b = sample();
        b.putU32(b.central.get("sd/data/0") + 24, 3999);
        openFails(b.bytes, Reason.INVALID, "sizes differ");
    }

    @Test
    void nameWithoutTopFolder() throws Exception {
        byte[] z = new RawZip().add("data.pkl", ZipContainerTest.PICKLE).build().bytes;
        openFails(z, Reason.INVALID, "not inside a top folder");
    }

    @Test
    void twoTopFolders() throws Exception {
        byte[] z = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE).add("b/data/0", new byte[4]).build().bytes;
        openFails(z, Reason.INVALID, "b/data/0", "top folder 'a/'");
    }

    @Test
    void duplicateNames() throws Exception {
        byte[] z = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE).add("a/data/0", new byte[4])
                .add("a/data/0", new byte[8]).build().bytes;
        openFails(z, Reason.INVALID, "appears twice");
    }

    @Test
    void nulInName() throws Exception {
        byte[] z = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE).add("a/da\0ta", new byte[4]).build().bytes;
        openFails(z, Reason.INVALID, "NUL");
    }

    @Test
    void invalidUtf8Name() throws Exception {
        byte[] name = {'a', '/', (byte) 0xC3, (byte) 0x28};
        byte[] z = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE).addRaw(name, 0x800, new byte[1]).build().bytes;
        openFails(z, Reason.INVALID, "not valid UTF-8");
    }

    @Test
    void noDataPkl() throws Exception {
        byte[] z = new RawZip().add("a/other", new byte[4]).build().bytes;
        openFails(z, Reason.INVALID, "no a/data.pkl record");
    }

    @Test
    void emptyZip() throws Exception {
        byte[] z = new RawZip().build().bytes;
        openFails(z, Reason.INVALID, "holds no records");
    }

    @Test
    void dataPklCrcMismatch() throws Exception {
        RawZip.Built b = sample();
        b.putU32(b.central.get("sd/data.pkl") + 16, 0x12345678L);
        openFails(b.bytes, Reason.INVALID, "sd/data.pkl", "CRC-32 mismatch");
    }

    @Test
    void encryptedEntry() throws Exception {
        RawZip.Built b = sample();
        long cd = b.central.get("sd/data/1");
        b.putU16(cd + 8, 0x0809);
        openFails(b.bytes, Reason.UNSUPPORTED, "encrypted");
    }

    @Test
    void zip64ExtraMissing() throws Exception {
        RawZip.Built b = sample();
        b.putU32(b.central.get("sd/data/1") + 24, 0xFFFFFFFFL);
        openFails(b.bytes, Reason.INVALID, "no ZIP64 extra field");
    }

    @Test
    void zip64LocatorPointsNowhere() throws Exception {
        RawZip.Built b = ZipContainerTest.torchLike("sd", new byte[8], new byte[8]).zip64(true).build();
        b.putU64(b.eocdOffset - 20 + 8, 7);
        // torch's reader (miniz 3) takes the record right before the locator; others follow the offset
        openFails(b.bytes, Reason.INVALID, "the ZIP64 locator points at byte 7", "ambiguous zip");
    }

    @Test
    void zip64RecordNeitherBeforeTheLocatorNorWhereItPoints() throws Exception {
        RawZip.Built b = ZipContainerTest.torchLike("sd", new byte[8], new byte[8]).zip64(true).build();
        b.putU32(b.eocdOffset - 20 - 56, 0); // the record's signature, right before the locator
        b.putU64(b.eocdOffset - 20 + 8, 7);
        openFails(b.bytes, Reason.INVALID, "no ZIP64 end of central directory record");
    }

    @Test
    void splitArchive() throws Exception {
        RawZip.Built b = sample();
        b.putU16(b.eocdOffset + 4, 1);
        openFails(b.bytes, Reason.UNSUPPORTED, "multi-part");
    }

    @Test
    void unsupportedMethodIsRefusedWhenRead() throws Exception {
        RawZip.Built b = sample();
        b.putU16(b.central.get("sd/data/1") + 10, 12);
        b.putU16(b.local.get("sd/data/1") + 8, 12);
        Path p = write(b.bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> z.storage("1", Map.of()));
            assertEquals(Reason.UNSUPPORTED, e.reason());
            assertEquals("sd/data/1", e.record());
            assertTrue(e.getMessage().contains("method 12"));
        }
    }

    @Test
    void methodDiffersBetweenLocalAndCentral() throws Exception {
        RawZip.Built b = sample();
        b.putU16(b.local.get("sd/data/1") + 8, 8);
        openFails(b.bytes, Reason.INVALID, "compression method 8");
    }

    /** 10 MB of zeros deflate to ~10 KB; the directory claims 1000 bytes. */
    @Test
    void deflatedRecordLargerThanDeclaredStopsAtOnce() throws Exception {
        byte[] zeros = new byte[10_000_000];
        RawZip.Built b = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE)
                .add("a/data/0", zeros, RawZip.DEFLATED).build();
        b.putU32(b.central.get("a/data/0") + 24, 1000);
        Path p = write(b.bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> z.storage("0", Map.of()));
            assertEquals(Reason.INVALID, e.reason());
            assertTrue(e.getMessage().contains("inflates to more than its declared size of 1000 bytes"),
                    e.getMessage());
            assertEquals("a/data/0", e.record());
            assertEquals(1000, e.offset());
        }
    }

    @Test
    void deflatedRecordSmallerThanDeclared() throws Exception {
        byte[] data = ZipContainerTest.bytes(5000, 9);
        RawZip.Built b = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE)
                .add("a/data/0", data, RawZip.DEFLATED).build();
        b.putU32(b.central.get("a/data/0") + 24, 6000);
        Path p = write(b.bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> z.storage("0", Map.of()));
            assertTrue(e.getMessage().contains("inflates to only 5000 bytes"), e.getMessage());
        }
        // the storage itself checks as well, when used without the container's verification
        try (var ch = org.pthconvert.io.ByteSource.open(p);
             StorageBytes s = new org.pthconvert.io.DeflatedStorage(ch, b.data.get("a/data/0"),
                     RawZip.deflate(data).length, 6000, -1, p, "a/data/0")) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> s.read(0, ByteBuffer.allocate(6000)));
            assertTrue(e.getMessage().contains("inflates to only 5000 bytes"), e.getMessage());
        }
    }

    @Test
    void deflatedRecordClaimingImpossibleRatio() throws Exception {
        RawZip.Built b = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE)
                .add("a/data/0", new byte[100], RawZip.DEFLATED).build();
        b.putU32(b.central.get("a/data/0") + 24, 0xFFFFFFF0L);
        openFails(b.bytes, Reason.INVALID, "more than deflate can produce");
    }

    @Test
    void deflatedCrcMismatchIsFoundAtTheEnd() throws Exception {
        byte[] data = ZipContainerTest.bytes(3000, 4);
        RawZip.Built b = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE)
                .add("a/data/0", data, RawZip.DEFLATED).build();
        b.putU32(b.central.get("a/data/0") + 16, 1);
        Path p = write(b.bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            CheckpointException s = assertThrows(CheckpointException.class, () -> z.storage("0", Map.of()));
            assertTrue(s.getMessage().contains("CRC-32 mismatch"), s.getMessage());
            CheckpointException e = assertThrows(CheckpointException.class, () -> z.verifyCrc("data/0"));
            assertTrue(e.getMessage().contains("CRC-32 mismatch"));
            try (InputStream in = z.openRecord("data/0")) {
                CheckpointIOException io = assertThrows(CheckpointIOException.class, in::readAllBytes);
                assertEquals("a/data/0", io.problem().record());
            }
        }
    }

    @Test
    void corruptDeflateData() throws Exception {
        byte[] data = ZipContainerTest.bytes(3000, 4);
        RawZip.Built b = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE)
                .add("a/data/0", data, RawZip.DEFLATED).build();
        long at = b.data.get("a/data/0");
        b.bytes[(int) at] = (byte) 0xFF; // reserved block type 3
        Path p = write(b.bytes);
        try (ZipContainer z = ZipContainer.open(p)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> z.storage("0", Map.of()));
            assertTrue(e.getMessage().contains("corrupt deflate data"), e.getMessage());
        }
    }

    /**
     * A read past where the file now ends says so. (Small reads near bytes already read may be served
     * from what was read then: the file is taken not to change while it is read. This read is neither.)
     */
    @Test
    void storedStorageTruncatedAfterOpen() throws Exception {
        RawZip.Built b = ZipContainerTest.torchLike("sd", ZipContainerTest.bytes(300_000, 1),
                ZipContainerTest.bytes(64, 2)).build();
        Path p = write(b.bytes);
        try (ZipContainer z = ZipContainer.open(p); StorageBytes s = z.storage("0", Map.of())) {
            try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(b.data.get("sd/data/0") + 200_010);
            }
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> s.read(200_000, ByteBuffer.allocate(4000)));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertEquals(200_010, e.offset());
        }
    }

    /** Random byte flips anywhere in the file: open and read either work or fail with a CheckpointException. */
    @Test
    void randomCorruptionNeverEscapesAsAnotherException() throws Exception {
        byte[] good = new RawZip().add("a/data.pkl", ZipContainerTest.PICKLE)
                .add("a/data/0", ZipContainerTest.bytes(300, 3), RawZip.DEFLATED)
                .add("a/data/1", ZipContainerTest.bytes(100, 4)).zip64(true).build().bytes;
        java.util.Random rnd = new java.util.Random(42);
        for (int trial = 0; trial < 600; trial++) {
            byte[] z = good.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                z[rnd.nextInt(z.length)] = (byte) rnd.nextInt(256);
            }
            Path p = dir.resolve("fuzz.pt");
            Files.write(p, z);
            try (ZipContainer c = ZipContainer.open(p)) {
                for (String key : new String[] {"0", "1"}) {
                    try (StorageBytes s = c.storage(key, Map.of())) {
                        s.read(0, ByteBuffer.allocate((int) Math.min(s.size(), 1 << 20)));
                    } catch (CheckpointException expected) {
                        // fine
                    }
                }
            } catch (CheckpointException expected) {
                // fine
            }
        }
    }
}
