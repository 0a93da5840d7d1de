package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.HostileRow;
import org.pthconvert.testdata.Fixtures.ManifestRow;

/**
 * Every fixture opened from a channel that is not a {@link FileChannel} (as a remote file system's
 * positional reads give one): the same tensors, bytes and errors as through the local file.
 */
class ChannelFixtureReaderTest {

    @TempDir
    Path scratch;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesTheManifestThroughAChannel() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : Fixtures.manifestFiles()) {
            for (String select : List.of(Fixtures.SELECT_AUTO, Fixtures.SELECT_ALL)) {
                List<ManifestRow> rows = Fixtures.manifest(file, select);
                if (!rows.isEmpty()) {
                    tests.add(DynamicTest.dynamicTest(file + " --select " + select, () -> check(file, select, rows)));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyHostileFileFailsTheSameThroughAChannel() {
        List<DynamicTest> tests = new ArrayList<>();
        for (HostileRow row : Fixtures.hostileExpected()) {
            Path file = Fixtures.hostile(row.file());
            tests.add(DynamicTest.dynamicTest(row.file(), () -> {
                String local = outcome(() -> Checkpoint.open(file).close());
                String remote = outcome(() -> Checkpoint.open(plain(file), file).close());
                assertEquals(local, remote, row.file());
            }));
        }
        return tests.stream();
    }

    private interface Opening {
        void run() throws Exception;
    }

    /** "opened", or the one-line error. */
    private static String outcome(Opening opening) throws Exception {
        try {
            opening.run();
            return "opened";
        } catch (CheckpointException e) {
            return e.getMessage();
        }
    }

    private void check(String file, String select, List<ManifestRow> rows) throws Exception {
        Path path = Fixtures.file(file);
        try (Checkpoint ckpt = Checkpoint.open(plain(path), path)) {
            Selected selected = NameRules.none().apply(WeightSelector.select(ckpt, Selection.parse(select)));
            Map<String, NamedTensor> byName = new LinkedHashMap<>();
            selected.tensors().forEach(t -> byName.put(t.name(), t));
            assertEquals(rows.stream().map(ManifestRow::name).toList(), new ArrayList<>(byName.keySet()),
                    file + ": names, in order");
            int i = 0;
            for (ManifestRow row : rows) {
                var view = byName.get(row.name()).source().view();
                assertEquals(row.dtype(), view.dtype().torchName(), row.name() + ": dtype");
                assertEquals(row.sha256(), TensorHashes.viaChunks(ckpt.source(view)), row.name() + ": bytes (chunks)");
                assertEquals(row.sha256(), TensorHashes.viaTransfer(ckpt.source(view), scratch.resolve("t" + i++)),
                        row.name() + ": bytes (transferTo)");
            }
        }
    }

    /** A file as a bare {@link SeekableByteChannel}: no FileChannel fast path can be taken. */
    private static SeekableByteChannel plain(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        return new SeekableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                // At most 4 KiB per call: readers must loop on short reads.
                if (dst.remaining() > 4096) {
                    ByteBuffer part = dst.slice().limit(4096);
                    int n = ch.read(part);
                    if (n > 0) {
                        dst.position(dst.position() + n);
                    }
                    return n;
                }
                return ch.read(dst);
            }

            @Override
            public int write(ByteBuffer src) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long position() throws IOException {
                return ch.position();
            }

            @Override
            public SeekableByteChannel position(long p) throws IOException {
                ch.position(p);
                return this;
            }

            @Override
            public long size() throws IOException {
                return ch.size();
            }

            @Override
            public SeekableByteChannel truncate(long size) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
