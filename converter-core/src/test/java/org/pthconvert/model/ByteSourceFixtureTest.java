package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.io.ByteSource;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

/**
 * Every fixture read through a {@link SeekableByteChannel} that is not a file (bytes in memory,
 * one shared position) gives the tensors the manifest records: the same names, dtypes, shapes and
 * SHA-256, read in chunks and through {@code transferTo} (which then copies through a buffer).
 */
class ByteSourceFixtureTest {

    @TempDir
    Path scratch;

    @TestFactory
    Stream<DynamicTest> everyFixtureReadsAlikeFromAChannel() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : Fixtures.manifestFiles()) {
            List<ManifestRow> rows = Fixtures.manifest(file, Fixtures.SELECT_ALL);
            if (!rows.isEmpty()) {
                tests.add(DynamicTest.dynamicTest(file, () -> check(file, rows)));
            }
        }
        assertFalse(tests.isEmpty(), "no fixtures in the manifest");
        return tests.stream();
    }

    private void check(String file, List<ManifestRow> rows) throws Exception {
        Path path = Fixtures.file(file);
        ByteSource source = ByteSource.of(new MemoryChannel(Files.readAllBytes(path)), path.toString());
        assertTrue(source.fileChannel().isEmpty());
        try (Checkpoint ckpt = Checkpoint.open(source)) {
            assertEquals(path, ckpt.file());
            Selected selected = NameRules.none().apply(WeightSelector.select(ckpt, Selection.parse(Fixtures.SELECT_ALL)));
            Map<String, NamedTensor> byName = new LinkedHashMap<>();
            selected.tensors().forEach(t -> byName.put(t.name(), t));
            assertEquals(rows.stream().map(ManifestRow::name).toList(), new ArrayList<>(byName.keySet()), file);
            int i = 0;
            for (ManifestRow row : rows) {
                var view = byName.get(row.name()).source().view();
                assertEquals(row.dtype(), view.dtype().torchName(), row.name() + ": dtype");
                List<Long> shape = new ArrayList<>();
                for (long d : view.shape().toArray()) {
                    shape.add(d);
                }
                assertEquals(row.shape(), shape, row.name() + ": shape");
                assertEquals(row.sha256(), TensorHashes.viaChunks(ckpt.source(view)), row.name() + ": bytes (chunks)");
                assertEquals(row.sha256(), TensorHashes.viaTransfer(ckpt.source(view), scratch.resolve("t" + i++)),
                        row.name() + ": bytes (transferTo)");
            }
        }
    }

    @Test
    void aFileSourceKeepsItsChannelForTransferTo() throws Exception {
        String file = Fixtures.manifestFiles().iterator().next();
        try (ByteSource s = ByteSource.open(Fixtures.file(file))) {
            assertTrue(s.fileChannel().isPresent());
            assertEquals(Files.size(Fixtures.file(file)), s.size());
            assertEquals(-1, s.read(s.size(), ByteBuffer.allocate(1)));
        }
    }

    /** A read-only in-memory channel with one position, like most non-file channels. */
    static final class MemoryChannel implements SeekableByteChannel {
        private final byte[] data;
        private long position;
        private boolean open = true;

        MemoryChannel(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            check();
            if (position >= data.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), data.length - position);
            dst.put(data, (int) position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() throws IOException {
            check();
            return position;
        }

        @Override
        public SeekableByteChannel position(long p) throws IOException {
            check();
            position = p;
            return this;
        }

        @Override
        public long size() throws IOException {
            check();
            return data.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() { return open; }

        @Override
        public void close() { open = false; }

        private void check() throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
        }
    }
}
