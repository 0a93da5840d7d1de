package org.pthconvert.writers.npz;

import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.WritePlan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
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
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;

/** A member past 4 GiB (ZIP64). Needs ~9 GB of disk and a minute: {@code -Dpthconvert.slow=true}. */
@EnabledIfSystemProperty(named = "pthconvert.slow", matches = "true")
class LargeNpzTest {

    @TempDir
    Path dir;

    /** {@code n} bytes, byte k = k * 7 mod 256, made on the fly. */
    private static TensorSource synthetic(long n) {
        return new TensorSource() {
            @Override public long byteLength() { return n; }
            @Override public void transferTo(FileChannel out) { throw new UnsupportedOperationException(); }
            @Override public void forEachChunk(ChunkConsumer c) throws java.io.IOException, CheckpointException {
                ByteBuffer b = ByteBuffer.allocate(1 << 20);
                for (long pos = 0; pos < n; ) {
                    b.clear();
                    int m = (int) Math.min(b.capacity(), n - pos);
                    for (int i = 0; i < m; i++) {
                        b.put((byte) ((pos + i) * 7));
                    }
                    b.flip();
                    pos += m;
                    c.accept(b);
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
        try (WriteSession s = new NpzWriter().open(OutputTarget.direct(out), WriteOptions.DEFAULTS)) {
            s.begin(WritePlan.of(List.of(big, small), Map.of()));
            s.write(big, synthetic(n));
            s.write(small, synthetic(3));
            s.finish();
        }
        try (ZipFile zip = ZipFile.builder().setPath(out).get()) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
            assertEquals(n + 128, entries.get(0).getSize());
            assertEquals(0, entries.get(0).getDataOffset() % 64);
            assertEquals(0, entries.get(1).getDataOffset() % 64);
            CRC32 crc = new CRC32();
            try (InputStream in = zip.getInputStream(entries.get(0))) {
                byte[] buf = new byte[1 << 20];
                for (int r; (r = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, r);
                }
            }
            assertEquals(entries.get(0).getCrc(), crc.getValue());
        }
    }
}
