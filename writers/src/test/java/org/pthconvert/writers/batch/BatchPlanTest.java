package org.pthconvert.writers.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.InvalidRequestException;

class BatchPlanTest {

    @TempDir
    Path dir;

    private Path file(String rel, int size) throws Exception {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[size]);
        return p;
    }

    private List<BatchInput> scan(String... args) throws Exception {
        return new InputScanner(OutputNames.DEFAULT_PATTERNS, false, dir.resolve("out")).scan(List.of(args)).inputs();
    }

    @Test
    void mirrorsTheTreeLargestFirst() throws Exception {
        file("zoo/a.pth", 10);
        file("zoo/resnet/b.bin", 30);
        file("zoo/resnet/c.ckpt", 20);
        BatchPlan plan = BatchPlan.of(scan(dir.resolve("zoo").toString()), dir.resolve("out"), ".npz", false, false);
        assertEquals(List.of(dir.resolve("out/resnet/b.npz"), dir.resolve("out/resnet/c.npz"), dir.resolve("out/a.npz")),
                plan.items().stream().map(BatchItem::output).toList());
        assertEquals(60, plan.bytesToConvert());
    }

    @Test
    void twoInputsForOneOutputAreRefusedNamingBoth() throws Exception {
        Path a = file("one/a.pth", 1);
        Path b = file("two/a.pth", 2);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> BatchPlan.of(
                scan(dir.resolve("one").toString(), dir.resolve("two").toString()), dir.resolve("out"), ".npz", false,
                false));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()), e.getMessage());
        file("three/m.pth", 1);
        file("three/m.bin", 1);
        assertThrows(InvalidRequestException.class, () -> BatchPlan.of(scan(dir.resolve("three").toString()),
                dir.resolve("out"), ".npz", false, false));
    }

    @Test
    void aShardFolderThatWouldHoldAnotherOutputIsAClash() throws Exception {
        file("zoo/a.pth", 1);
        file("zoo/a/b.pth", 1);
        assertEquals(2, BatchPlan.of(scan(dir.resolve("zoo").toString()), dir.resolve("out"), ".safetensors", false,
                false).items().size());
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> BatchPlan.of(
                scan(dir.resolve("zoo").toString()), dir.resolve("out"), ".safetensors", true, false));
        assertTrue(e.getMessage().contains("a.pth") && e.getMessage().contains("b.pth"), e.getMessage());
    }

    @Test
    void theSameFileNamedTwiceIsOneJob() throws Exception {
        Path a = file("zoo/a.pth", 1);
        assertEquals(1, BatchPlan.of(scan(dir.resolve("zoo").toString(), a.toString()), dir.resolve("out"), ".npz",
                false, false).items().size());
    }

    @Test
    void anOutputThatWouldBeItsInputIsRefused() throws Exception {
        file("zoo/a.pth", 1);
        assertThrows(InvalidRequestException.class, () -> BatchPlan.of(scan(dir.resolve("zoo").toString()),
                dir.resolve("zoo"), ".pth", false, false));
    }

    @Test
    void outputsNewerThanTheirInputAreUpToDateUnlessForced() throws Exception {
        Path in = file("zoo/a.pth", 1);
        Path out = file("out/a.npz", 1);
        Files.setLastModifiedTime(in, FileTime.fromMillis(1_000_000_000_000L));
        Files.setLastModifiedTime(out, FileTime.fromMillis(1_000_000_001_000L));
        List<BatchInput> inputs = scan(dir.resolve("zoo").toString());
        assertTrue(BatchPlan.of(inputs, dir.resolve("out"), ".npz", false, false).items().get(0).upToDate());
        assertTrue(BatchPlan.of(inputs, dir.resolve("out"), ".npz", false, false).toConvert().isEmpty());
        assertFalse(BatchPlan.of(inputs, dir.resolve("out"), ".npz", false, true).items().get(0).upToDate());
        Files.setLastModifiedTime(out, FileTime.fromMillis(999_999_999_000L));
        assertFalse(BatchPlan.of(inputs, dir.resolve("out"), ".npz", false, false).items().get(0).upToDate());
    }
}
