package org.pthconvert.writers.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.writers.MiniJson;
import org.pthconvert.writers.batch.BatchOutcome.Status;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionService;
import org.pthconvert.writers.service.Failure;

class BatchRunnerTest {

    @TempDir
    Path dir;

    private static final ConversionService SERVICE = ConversionService.standard();

    /** Outcomes by input relative name, collected as the runner reports them. */
    private static final class Collect implements BatchRunner.Listener {
        final Map<String, BatchOutcome> byName = Collections.synchronizedMap(new HashMap<>());
        final List<String> order = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void finished(BatchOutcome o) {
            assertNull(byName.put(o.item().input().relative(), o), "reported twice: " + o);
            order.add(o.item().input().relative());
        }
    }

    private BatchPlan plan(Path zoo, Path out, boolean force) throws IOException {
        InputScanner.Scan scan = new InputScanner(OutputNames.DEFAULT_PATTERNS, false, out).scan(List.of(zoo.toString()));
        return BatchPlan.of(scan.inputs(), out, ".safetensors", false, force);
    }

    private static ConversionRequest template() {
        return ConversionRequest.of(Path.of("."), Path.of(".")).withFormat("safetensors");
    }

    private BatchSummary run(BatchPlan plan, int jobs, boolean failFast, BatchRunner.Listener l) throws IOException {
        return new BatchRunner(SERVICE, template(), jobs, failFast, true, l).run(plan);
    }

    @Test
    void goodFilesConvertAndBadOnesAreReportedWithTheirReason() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        Path out = dir.resolve("out");
        BatchPlan plan = plan(zoo, out, false);
        assertEquals(7, plan.items().size());
        Collect c = new Collect();
        StringWriter report = new StringWriter();
        JsonlReport jsonl = new JsonlReport(report, "auto", Failure::plain);
        BatchSummary s = run(plan, 2, false, o -> {
            c.finished(o);
            jsonl.finished(o);
        });
        assertEquals(4, s.converted(), c.byName.toString());
        assertEquals(3, s.failed());
        assertEquals(0, s.notRun());
        assertFalse(s.success());
        BatchTrees.assertGoodOutputs(out);
        assertEquals(Failure.Kind.INVALID, c.byName.get(BatchTrees.CORRUPT).failure().kind());
        Failure hostile = c.byName.get(BatchTrees.HOSTILE).failure();
        assertEquals(Failure.Kind.DANGEROUS, hostile.kind());
        assertTrue(hostile.message().contains("os.system") && hostile.message().contains("os_system_p2.pth"), hostile.message());
        Failure unsupported = c.byName.get(BatchTrees.UNSUPPORTED).failure();
        assertEquals(Failure.Kind.UNSUPPORTED, unsupported.kind());
        assertEquals(Failure.Hint.SKIP_UNSUPPORTED, unsupported.hint());
        assertTrue(unsupported.message().contains("quantized"), unsupported.message());
        // bad inputs leave nothing; nothing temporary anywhere
        assertFalse(Files.exists(out.resolve("quantized.safetensors")));
        assertFalse(Files.exists(out.resolve("broken")) && Files.list(out.resolve("broken")).findAny().isPresent());
        assertEquals(List.of(), BatchTrees.temps(out));
        // the report: one valid JSON object per input
        List<String> lines = report.toString().lines().toList();
        assertEquals(7, lines.size(), report.toString());
        Map<String, String> statusOf = new HashMap<>();
        for (String line : lines) {
            @SuppressWarnings("unchecked")
            Map<String, Object> j = (Map<String, Object>) MiniJson.parse(line);
            statusOf.put((String) j.get("input"), (String) j.get("status"));
            assertEquals("auto", j.get("selection"));
            assertTrue(j.containsKey("rules") && j.containsKey("seconds") && j.containsKey("output"), line);
            if (j.get("status").equals("ok")) {
                assertNull(j.get("error"));
                assertTrue((Long) j.get("tensors") > 0 && (Long) j.get("bytes") > 0, line);
            } else {
                assertTrue(((String) j.get("error")).contains((String) j.get("input")), line);
            }
        }
        assertEquals(7, statusOf.size());
        assertEquals(4, statusOf.values().stream().filter("ok"::equals).count());
        assertEquals(3, statusOf.values().stream().filter("failed"::equals).count());
        String trainSgd = zoo.resolve("resnet/train_sgd.ckpt").toString();
        assertTrue(lines.stream().anyMatch(l -> l.contains(trainSgd) && l.contains("'model'")), "rules fired");
    }

    @Test
    void aRerunSkipsEveryFinishedOutputAndWritesNothingForceRedoes() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        Path out = dir.resolve("out");
        run(plan(zoo, out, false), 2, false, o -> { });
        Map<String, Long> before = BatchTrees.times(out);
        Collect again = new Collect();
        BatchSummary s = run(plan(zoo, out, false), 2, false, again);
        assertEquals(0, s.converted());
        assertEquals(4, s.skipped());
        assertEquals(3, s.failed()); // bad files are retried (they have no output) and fail again
        assertEquals(before, BatchTrees.times(out));
        for (String good : BatchTrees.GOOD.keySet()) {
            assertEquals(Status.SKIPPED, again.byName.get(good).status());
        }
        BatchSummary forced = run(plan(zoo, out, true), 2, false, o -> { });
        assertEquals(4, forced.converted());
        assertEquals(0, forced.skipped());
        BatchTrees.assertGoodOutputs(out);
    }

    @Test
    void aChangedInputIsConvertedAgain() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        Path out = dir.resolve("out");
        run(plan(zoo, out, false), 1, false, o -> { });
        Path in = zoo.resolve("sample.pth");
        Path output = out.resolve("sample.safetensors");
        Files.setLastModifiedTime(in, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(output).toMillis() + 60_000));
        Collect c = new Collect();
        BatchSummary s = run(plan(zoo, out, false), 1, false, c);
        assertEquals(1, s.converted());
        assertEquals(Status.OK, c.byName.get("sample.pth").status());
        BatchTrees.assertMatchesManifest(output, "sample.pth");
    }

    @Test
    void largestFirst() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        BatchPlan plan = plan(zoo, dir.resolve("out"), false);
        for (int i = 1; i < plan.items().size(); i++) {
            assertTrue(plan.items().get(i - 1).size() >= plan.items().get(i).size());
        }
        Collect c = new Collect();
        run(plan, 1, false, c);
        assertEquals(plan.items().stream().map(i -> i.input().relative()).toList(), c.order);
    }

    @Test
    void failFastStartsNothingAfterTheFirstFailure() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        BatchPlan plan = plan(zoo, dir.resolve("out"), false);
        int firstBad = 0;
        while (BatchTrees.GOOD.containsKey(plan.items().get(firstBad).input().relative())) {
            firstBad++;
        }
        Collect c = new Collect();
        BatchSummary s = run(plan, 1, true, c);
        assertEquals(1, s.failed());
        assertEquals(firstBad, s.converted());
        assertEquals(plan.items().size() - firstBad - 1, s.notRun());
        assertEquals(firstBad + 1, c.order.size());
    }

    @Test
    void cancelledMidBatchLeavesOnlyWholeOutputsAndARerunFinishes() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        Path out = dir.resolve("out");
        BatchPlan plan = plan(zoo, out, false);
        AtomicInteger chunks = new AtomicInteger();
        BatchRunner[] runner = new BatchRunner[1];
        runner[0] = new BatchRunner(SERVICE, template(), 1, false, true, new BatchRunner.Listener() {
            @Override
            public void finished(BatchOutcome o) {
            }

            @Override
            public void bytes(long n) {
                // Cancel at the second chunk of tensor bytes, from the writing thread itself: mid-file.
                if (chunks.incrementAndGet() == 2) {
                    runner[0].cancel();
                }
            }
        });
        BatchSummary s = runner[0].run(plan);
        assertTrue(s.cancelled());
        assertTrue(s.notRun() > 0, s.toString());
        assertEquals(0, s.failed(), "a cancellation is not a failure: " + s);
        assertEquals(List.of(), BatchTrees.temps(out));
        // whatever exists is whole
        for (var e : BatchTrees.GOOD.entrySet()) {
            Path o = out.resolve(OutputNames.outputFor(e.getKey(), ".safetensors", false));
            if (Files.exists(o)) {
                BatchTrees.assertMatchesManifest(o, e.getValue());
            }
        }
        BatchSummary rerun = run(plan(zoo, out, false), 2, false, o -> { });
        assertEquals(4, rerun.converted() + rerun.skipped());
        assertNotEquals(0, rerun.converted());
        BatchTrees.assertGoodOutputs(out);
        assertEquals(List.of(), BatchTrees.temps(out));
    }

    @Test
    void temporariesOfAKilledRunAreRemovedOthersKept() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("resnet"));
        Path stale = out.resolve(".sample.safetensors.0123456789ab.tmp");
        Path staleDir = out.resolve("resnet/.train_sgd.safetensors.a1b2c3d4e5f6.tmp");
        Path mine = out.resolve(".sample.safetensors.notes.tmp");
        Files.writeString(stale, "half");
        Files.createDirectories(staleDir.resolve("sub"));
        Files.writeString(mine, "user's");
        run(plan(zoo, out, false), 2, false, o -> { });
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleDir));
        assertTrue(Files.exists(mine));
        assertTrue(StaleTemps.isTempOf(".a.onnx.data.0123456789ab.tmp", "a.onnx"));
        assertFalse(StaleTemps.isTempOf(".a.onnx.0123456789AB.tmp", "a.onnx"));
        assertFalse(StaleTemps.isTempOf(".b.onnx.0123456789ab.tmp", "a.onnx"));
    }

    @Test
    void anOutputFolderLinkedOutOfTheOutputRootIsNotWrittenThrough() throws Exception {
        Path zoo = BatchTrees.zoo(dir);
        Path out = dir.resolve("out");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createDirectories(out);
        Files.createSymbolicLink(out.resolve("resnet"), elsewhere);
        Collect c = new Collect();
        BatchSummary s = run(plan(zoo, out, false), 2, false, c);
        assertEquals(5, s.failed(), c.byName.toString());
        assertTrue(c.byName.get("resnet/train_sgd.ckpt").failure().message().contains("symbolic link"));
        try (var list = Files.list(elsewhere)) {
            assertEquals(0, list.count());
        }
    }

    @Test
    void aSecondBatchOnTheSameFolderIsRefused() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        try (OutDirLock lock = OutDirLock.acquire(out)) {
            org.junit.jupiter.api.Assertions.assertThrows(org.pthconvert.errors.InvalidRequestException.class,
                    () -> OutDirLock.acquire(out));
        }
        try (OutDirLock again = OutDirLock.acquire(out)) {
            try (var list = Files.list(out)) {
                assertEquals(0, list.count(), "the lock writes nothing into the output folder");
            }
        }
    }
}
