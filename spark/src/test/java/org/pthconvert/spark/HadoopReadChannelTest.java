package org.pthconvert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

/**
 * Every fixture read in place through Hadoop's positional reads gives the tensors torch gave (the
 * manifest), as through the local file.
 */
class HadoopReadChannelTest {

    private static FileSystem localFs() throws Exception {
        return FileSystem.getLocal(new Configuration());
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureThroughHadoopPositionalReads() throws Exception {
        FileSystem fs = localFs();
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : Fixtures.manifestFiles()) {
            for (String select : List.of(Fixtures.SELECT_AUTO, Fixtures.SELECT_ALL)) {
                List<ManifestRow> rows = Fixtures.manifest(file, select);
                if (!rows.isEmpty()) {
                    tests.add(DynamicTest.dynamicTest(file + " --select " + select, () -> check(fs, file, select, rows)));
                }
            }
        }
        return tests.stream();
    }

    private static void check(FileSystem fs, String file, String select, List<ManifestRow> rows) throws Exception {
        java.nio.file.Path local = Fixtures.file(file);
        try (Checkpoint ckpt = Checkpoint.open(HadoopReadChannel.open(fs, new Path(local.toUri())), local)) {
            Selected selected = NameRules.none().apply(WeightSelector.select(ckpt, Selection.parse(select)));
            Map<String, NamedTensor> byName = new LinkedHashMap<>();
            selected.tensors().forEach(t -> byName.put(t.name(), t));
            assertEquals(rows.stream().map(ManifestRow::name).toList(), new ArrayList<>(byName.keySet()), file);
            for (ManifestRow row : rows) {
                var view = byName.get(row.name()).source().view();
                assertEquals(row.dtype(), view.dtype().torchName(), row.name());
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ckpt.source(view).forEachChunk(md::update);
                assertEquals(row.sha256(), Fixtures.hex(md.digest()), row.name() + ": bytes");
            }
        }
    }

    @Test
    void readsArePositionalAndStopAtTheEnd() throws Exception {
        java.nio.file.Path local = Fixtures.file("sample.pth");
        byte[] whole = Files.readAllBytes(local);
        try (HadoopReadChannel ch = HadoopReadChannel.open(localFs(), new Path(local.toUri()))) {
            assertEquals(whole.length, ch.size());
            ByteBuffer direct = ByteBuffer.allocateDirect(10);
            ch.position(whole.length - 4);
            assertEquals(4, ch.read(direct));
            direct.flip();
            for (int i = 0; i < 4; i++) {
                assertEquals(whole[whole.length - 4 + i], direct.get());
            }
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
            ch.position(3);
            ByteBuffer heap = ByteBuffer.allocate(5);
            assertEquals(5, ch.read(heap));
            assertEquals(8, ch.position());
            assertEquals(whole[7], heap.array()[4]);
            assertThrows(java.nio.channels.NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1)));
        }
    }
}
