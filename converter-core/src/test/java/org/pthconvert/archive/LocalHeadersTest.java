package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.StorageBytes;

/** Opening a zip of many small records reads their local headers in few reads; large records read none of their data. */
class LocalHeadersTest {
    @TempDir
    Path dir;

    /** Counts reads and the bytes they return. */
    static final class Counting implements ByteSource {
        final ByteSource inner;
        int reads;
        long bytes;

        Counting(ByteSource inner) {
            this.inner = inner;
        }

        @Override
        public long size() throws IOException { return inner.size(); }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            int n = inner.read(position, dst);
            reads++;
            bytes += Math.max(n, 0);
            return n;
        }

        @Override
        public Path path() { return inner.path(); }

        @Override
        public void close() throws IOException { inner.close(); }
    }

    @Test
    void manySmallRecordsTakeFewReads() throws Exception {
        RawZip zip = new RawZip().add("archive/data.pkl", ZipContainerTest.PICKLE);
        int records = 2000;
        for (int i = 0; i < records; i++) {
            zip.add("archive/data/" + i, ZipContainerTest.bytes(64, i));
        }
        Path p = dir.resolve("many.pth");
        Files.write(p, zip.build().bytes);
        Counting counting = new Counting(ByteSource.open(p));
        try (ZipContainer z = ZipContainer.open(counting)) {
            // About 80 headers and their data fit in one 64 KiB window; one read per record was 2,000.
            assertTrue(counting.reads < 100, counting.reads + " reads");
            try (StorageBytes b = z.storage("1234", Map.of())) {
                assertArrayEquals(ZipContainerTest.bytes(64, 1234), ZipContainerTest.readAll(b));
            }
        }
    }

    @Test
    void largeRecordsAreNotReadWhileOpening() throws Exception {
        RawZip zip = new RawZip().add("archive/data.pkl", ZipContainerTest.PICKLE);
        for (int i = 0; i < 8; i++) {
            zip.add("archive/data/" + i, new byte[200_000]);
        }
        Path p = dir.resolve("large.pth");
        Files.write(p, zip.build().bytes);
        Counting counting = new Counting(ByteSource.open(p));
        try (ZipContainer z = ZipContainer.open(counting)) {
            assertEquals(8, z.recordNames().stream().filter(n -> n.startsWith("data/")).count());
            // The end of the file, the directory, each header with its name, data.pkl: far less than one record.
            assertTrue(counting.bytes < 100_000, counting.bytes + " bytes read");
        }
    }
}
