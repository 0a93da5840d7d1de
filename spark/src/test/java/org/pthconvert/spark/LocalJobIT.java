package org.pthconvert.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.testdata.Fixtures;

/**
 * The job on Spark local[2] with file:// paths, over a tree of fixtures, corrupt and hostile files:
 * outputs byte for byte as the single-machine conversion writes them, failed rows with its reasons,
 * a rerun that skips, and a task attempt that dies halfway and is retried cleanly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalJobIT {
    private static final String[] GOOD = {"sample.pth", "legacy.pth", "torchscript.pt", "rezipped_deflated.pth",
        "tied.pth", "views.pth", "train_adam.pt", "proto4.pth"};
    private static final String[] UNSUPPORTED = {"dtypes.pth", "sparse.pth"};
    private static final String[] HOSTILE = {"os_system_p2.pth", "truncated_half.pth", "html_page.pth", "empty.pth",
        "zip_bomb.pth", "corrupt_central_dir.pth", "storage_terabytes.pth", "lfs_pointer.pth"};

    @TempDir
    static Path work;
    static Path tree;
    static Map<String, Expected.Outcome> expected;

    @BeforeAll
    static void makeTree() throws IOException {
        tree = work.resolve("zoo");
        Expected.copy(Fixtures.root(), tree, "models", GOOD);
        Expected.copy(Fixtures.root(), tree, "models/odd", UNSUPPORTED);
        Expected.copy(Fixtures.hostileDir(), tree, "downloads", HOSTILE);
        Files.writeString(tree.resolve("models/README.txt"), "not a checkpoint, not an input");
        expected = Expected.of(tree, Files.createDirectories(work.resolve("expected")), "safetensors", ".safetensors");
        assertEquals(GOOD.length + UNSUPPORTED.length + HOSTILE.length, expected.size());
    }

    private static Path out(String rel, Path outDir) {
        return outDir.resolve(rel.replaceAll("\\.[a-z]+$", ".safetensors"));
    }

    @Test
    @Order(1)
    void convertsTheTreeAsConvertDoesFailingBadFilesOneByOne() throws Exception {
        Path outDir = work.resolve("out");
        Path report = work.resolve("report");
        LocalSpark.Run run = LocalSpark.run("--to", "safetensors", "--out-dir", outDir.toUri().toString(),
                tree.toUri().toString(), "--report", report.toUri().toString());
        assertEquals(ConvertJob.FAILED, run.status(), "bad files fail their rows, and the exit status says so");
        Map<String, Row> rows = reportRows(report, "json");
        assertEquals(expected.size(), rows.size(), "one row per input: " + rows.keySet());
        for (var e : expected.entrySet()) {
            Row row = rows.get(tree.resolve(e.getKey()).toUri().toString().replace("file:///", "file:/"));
            assertTrue(row != null, e.getKey() + " has a row");
            Path o = out(e.getKey(), outDir);
            if (e.getValue().error() == null) {
                assertEquals("ok", row.getAs("status"), e.getKey());
                assertNull(row.getAs("error"));
                assertArrayEquals(e.getValue().bytes(), Files.readAllBytes(o), e.getKey() + ": bytes as convert writes");
                assertTrue(((Number) row.getAs("tensors")).longValue() > 0);
            } else {
                assertEquals("failed", row.getAs("status"), e.getKey());
                assertEquals(e.getValue().error(), row.getAs("error"), e.getKey() + ": convert's reason");
                assertFalse(Files.exists(o), e.getKey() + ": no output");
            }
        }
        assertTrue(run.stderr().contains(expected.size() + " inputs: " + GOOD.length + " converted, 0 skipped, "
                + (UNSUPPORTED.length + HOSTILE.length) + " failed"), run.stderr());
        assertNoTemporaries(outDir);
    }

    @Test
    @Order(2)
    void aRerunSkipsEveryOutputNewerThanItsInput() throws Exception {
        Path outDir = work.resolve("out");
        Path kept = out("models/sample.pth", outDir);
        FileTime before = Files.getLastModifiedTime(kept);
        Path report = work.resolve("report2");
        LocalSpark.Run run = LocalSpark.run("--to", "safetensors", "--out-dir", outDir.toString(), tree.toString(),
                "--report", report.toString(), "--report-format", "parquet");
        assertEquals(ConvertJob.FAILED, run.status());
        Map<String, Row> rows = reportRows(report, "parquet");
        long skipped = rows.values().stream().filter(r -> "skipped".equals(r.getAs("status"))).count();
        assertEquals(GOOD.length, skipped, "every converted input skipped");
        assertEquals(before, Files.getLastModifiedTime(kept), "nothing rewritten");

        // An input newer than its output is converted again; --force converts all.
        Path input = tree.resolve("models/sample.pth");
        Files.setLastModifiedTime(input, FileTime.fromMillis(before.toMillis() + 60_000));
        // The tree below a given folder is mirrored below --out-dir.
        String models = outDir.resolve("models").toString();
        run = LocalSpark.run("--to", "safetensors", "--out-dir", models, tree.resolve("models").toString());
        assertTrue(run.stderr().contains("1 converted, " + (GOOD.length - 1) + " skipped"), run.stderr());
        run = LocalSpark.run("--to", "safetensors", "--out-dir", models, tree.resolve("models").toString(),
                "--force", "--pattern", "*.pth");
        assertTrue(run.stderr().contains(" converted, 0 skipped"), run.stderr());
        assertArrayEquals(expected.get("models/sample.pth").bytes(), Files.readAllBytes(kept));
        assertNoTemporaries(outDir);
    }

    @Test
    @Order(3)
    void aTaskThatDiesHalfwayIsRetriedWithoutPartialFilesOrDuplicateRows() throws Exception {
        SparkSession spark = LocalSpark.session();
        Path outDir = work.resolve("out-retry");
        Path report = work.resolve("report-retry");
        int failedBefore = LocalSpark.failedAttempts();
        spark.conf().set(ConvertTask.FAIL_ONCE, "sample.pth");
        LocalSpark.Run run;
        try {
            run = LocalSpark.run("--to", "safetensors", "--out-dir", outDir.toString(),
                    tree.resolve("models").toString() + "/*.pth", tree.resolve("models/odd").toString(),
                    "--report", report.toString(), "--skip-unsupported");
        } finally {
            spark.conf().unset(ConvertTask.FAIL_ONCE);
        }
        assertEquals(ConvertJob.OK, run.status(), run.stderr());
        waitForListener(failedBefore + 1);
        assertEquals(failedBefore + 1, LocalSpark.failedAttempts(), "exactly one attempt failed and was retried");
        Map<String, Row> rows = reportRows(report, "json");
        long pth = java.util.Arrays.stream(GOOD).filter(n -> n.endsWith(".pth")).count();
        assertEquals(pth + UNSUPPORTED.length, rows.size(), "one row per input");
        assertArrayEquals(expected.get("models/sample.pth").bytes(), Files.readAllBytes(outDir.resolve("sample.safetensors")));
        assertTrue(Files.exists(outDir.resolve("dtypes.safetensors")), "--skip-unsupported converts the rest");
        assertNoTemporaries(outDir);
    }

    @Test
    @Order(4)
    void hadoopPositionalReadsGiveTheSameOutputs() throws Exception {
        SparkSession spark = LocalSpark.session();
        Path outDir = work.resolve("out-hadoop-reads");
        spark.conf().set(ConvertTask.HADOOP_READS, "true");
        LocalSpark.Run run;
        try {
            // Hostile files through the channel fail as through the file: ChannelFixtureReaderTest.
            run = LocalSpark.run("--to", "safetensors", "--out-dir", outDir.resolve("models").toString(),
                    tree.resolve("models").toString());
        } finally {
            spark.conf().unset(ConvertTask.HADOOP_READS);
        }
        assertEquals(ConvertJob.FAILED, run.status());
        assertNoTemporaries(outDir);
        for (var e : expected.entrySet()) {
            if (!e.getKey().startsWith("models/")) {
                continue;
            }
            Path o = out(e.getKey(), outDir);
            if (e.getValue().error() == null) {
                assertArrayEquals(e.getValue().bytes(), Files.readAllBytes(o), e.getKey());
            } else {
                assertTrue(run.stderr().contains("failed: " + e.getValue().error()), e.getKey() + ": " + run.stderr());
            }
        }
    }

    @Test
    @Order(5)
    void usageErrorsExitTwoBeforeAnyWork() {
        Path outDir = work.resolve("out-usage");
        assertEquals(ConvertJob.USAGE, LocalSpark.run("--to", "safetensors", "--out-dir", outDir.toString(),
                work.resolve("missing").toString()).status());
        assertEquals(ConvertJob.USAGE, LocalSpark.run("--to", "nosuchformat", "--out-dir", outDir.toString(),
                tree.toString()).status());
        assertEquals(ConvertJob.USAGE, LocalSpark.run("--to", "safetensors", "--out-dir", outDir.toString(),
                tree.resolve("models").toString() + "/*.nothing").status());
        assertFalse(Files.exists(outDir));
    }

    static void waitForListener(int atLeast) throws InterruptedException {
        // Listener events are delivered asynchronously; bounded by count of polls, not by a tight clock.
        for (int i = 0; i < 600 && LocalSpark.failedAttempts() < atLeast; i++) {
            Thread.sleep(100);
        }
    }

    static Map<String, Row> reportRows(Path report, String format) {
        SparkSession spark = LocalSpark.session();
        List<Row> all = ("parquet".equals(format) ? spark.read().parquet(report.toString())
                : spark.read().json(report.toString())).collectAsList();
        Map<String, Row> byInput = new HashMap<>();
        for (Row r : all) {
            assertNull(byInput.put(r.getAs("input"), r), "duplicate row for " + r.getAs("input"));
        }
        return byInput;
    }

    static void assertNoTemporaries(Path outDir) throws IOException {
        for (Path p : Expected.files(outDir)) {
            assertFalse(p.getFileName().toString().contains(OutputPublisher.TEMP_MARK), "temporary left: " + p);
        }
        try (var all = Files.walk(outDir)) {
            all.forEach(p -> assertFalse(p.getFileName().toString().contains(OutputPublisher.TEMP_MARK),
                    "temporary left: " + p));
        }
    }
}
