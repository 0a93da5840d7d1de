package org.pthconvert.writers.npz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriteSession;

/**
 * A member past 4 GiB (ZIP64), in every build: what matters is the file's size, not its content, so the
 * source hands the same 1 MiB block over and over, and the check reads only the zip's directory, the
 * alignment and the member's last bytes. Needs ~4.1 GB of free disk for a few seconds.
 */
class LargeNpzTest {

    @TempDir
    Path dir;

    private static final int BLOCK = 1 << 20;

    /** One block of bytes k * 7 mod 256. */
    private static byte[] block() {
        byte[] b = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }

    /** {@code n} bytes: the block repeated, the last one cut short. */
    private static TensorSource repeated(long n) {
        byte[] block = block();
        return new TensorSource() {
            @Override public long byteLength() { return n; }
            @Override public void transferTo(FileChannel out) throws java.io.IOException, CheckpointException {
                forEachChunk(b -> {
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                });
            }
            @Override public void forEachChunk(ChunkConsumer c) throws java.io.IOException, CheckpointException {
                for (long pos = 0; pos < n; pos += BLOCK) {
                    c.accept(ByteBuffer.wrap(block, 0, (int) Math.min(BLOCK, n - pos)));
                }
            }
        };
    }

    @Test
    void aMemberPastFourGibibytes() throws Exception {
        long n = (1L << 32) + 4096;    // float32 elements' bytes
        TensorSpec big = new TensorSpec("big", Dtype.F32, Shape.of(n / 4));
        TensorSpec small = new TensorSpec("after", Dtype.U8, Shape.of(3));
        Path out = dir.resolve("big.npz");
        long free = java.nio.file.Files.getFileStore(dir).getUsableSpace();
        assertTrue(free > n + (256L << 20), "this test writes a 4.1 GB file; " + dir + " has only " + free
                + " bytes free");
        try (WriteSession s = new NpzWriter().open(OutputTarget.direct(out), WriteOptions.DEFAULTS)) {
            s.begin(WritePlan.of(List.of(big, small), Map.of()));
            s.write(big, repeated(n));
            s.write(small, repeated(3));
            s.finish();
        }
        try (ZipFile zip = ZipFile.builder().setPath(out).get()) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
            assertEquals(n + 128, entries.get(0).getSize());
            assertEquals(0, entries.get(0).getDataOffset() % 64);
            assertEquals(0, entries.get(1).getDataOffset() % 64);
            CRC32 crc = new CRC32();
            crc.update(NpyHeader.encode("<f4", big.shape()));
            byte[] block = block();
            for (long pos = 0; pos < n; pos += BLOCK) {
                crc.update(block, 0, (int) Math.min(BLOCK, n - pos));
            }
            long end = entries.get(0).getDataOffset() + entries.get(0).getSize();
            ByteBuffer tail = ByteBuffer.allocate(16);
            try (FileChannel ch = FileChannel.open(out)) {
                ch.read(tail, end - 16);
            }
            for (int i = 0; i < 16; i++) {
                assertEquals((byte) ((n - 16 + i) % BLOCK * 7), tail.get(i), "byte " + (n - 16 + i));
            }
            assertEquals(entries.get(0).getCrc(), crc.getValue());
        }
    }
}
