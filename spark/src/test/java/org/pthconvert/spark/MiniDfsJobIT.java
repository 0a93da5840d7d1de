package org.pthconvert.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.testdata.Fixtures;

/**
 * The job against a real distributed file system: an in-process HDFS (one name node, one data node).
 * Inputs are read in place from hdfs:// through positional reads, outputs are uploaded and renamed
 * on hdfs://, the report is written there; one upload dies halfway and is retried.
 */
class MiniDfsJobIT {
    private static final String[] GOOD = {"sample.pth", "legacy.pth", "torchscript.pt", "rezipped_deflated.pth",
        "tied.pth"};
    private static final String[] BAD = {"os_system_p4.pth", "truncated_half.pth", "zip_bomb.pth"};

    @TempDir
    static Path work;
    static MiniDFSCluster cluster;
    static FileSystem hdfs;
    static String root;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, work.resolve("dfs").toString());
        conf.setLong("dfs.blocksize", 1 << 20); // several blocks per larger file: reads cross block edges
        conf.setInt("dfs.bytes-per-checksum", 512);
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        hdfs = cluster.getFileSystem();
        root = hdfs.getUri().toString();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Test
    void convertsFromAndToHdfs() throws Exception {
        Path local = work.resolve("zoo");
        Expected.copy(Fixtures.root(), local, "a", GOOD);
        Expected.copy(Fixtures.hostileDir(), local, "b/bad", BAD);
        Map<String, Expected.Outcome> expected = Expected.of(local, Files.createDirectories(work.resolve("exp")),
                "npz", ".npz");
        hdfs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()),
                new org.apache.hadoop.fs.Path(root + "/zoo"));

        SparkSession spark = LocalSpark.session();
        int failedBefore = LocalSpark.failedAttempts();
        spark.conf().set(ConvertTask.FAIL_ONCE, "a/sample.pth");
        LocalSpark.Run run;
        try {
            run = LocalSpark.run("--to", "npz", "--out-dir", root + "/zoo-npz", root + "/zoo",
                    "--report", root + "/zoo-npz/_report");
        } finally {
            spark.conf().unset(ConvertTask.FAIL_ONCE);
        }
        assertEquals(ConvertJob.FAILED, run.status(), run.stderr());
        LocalJobIT.waitForListener(failedBefore + 1);
        assertEquals(failedBefore + 1, LocalSpark.failedAttempts(), "the upload that died halfway was retried");

        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().json(root + "/zoo-npz/_report").collectAsList()) {
            assertNull(rows.put(r.getAs("input"), r), "one row per input");
        }
        assertEquals(expected.size(), rows.size());
        for (var e : expected.entrySet()) {
            String in = root + "/zoo/" + e.getKey();
            Row row = rows.get(in);
            assertTrue(row != null, in + " has a row: " + rows.keySet());
            org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(root + "/zoo-npz/"
                    + e.getKey().replaceAll("\\.[a-z]+$", ".npz"));
            if (e.getValue().error() == null) {
                assertEquals("ok", row.getAs("status"), e.getKey());
                assertArrayEquals(e.getValue().bytes(), read(out), e.getKey() + ": bytes as convert writes");
            } else {
                assertEquals("failed", row.getAs("status"), e.getKey());
                // The same reason, naming the file by its path on HDFS.
                String localName = local.resolve(e.getKey()).toString();
                String hdfsName = "/zoo/" + e.getKey();
                assertEquals(e.getValue().error().replace(localName, hdfsName), row.getAs("error"), e.getKey());
                assertFalse(hdfs.exists(out), e.getKey() + ": no output");
            }
        }
        RemoteIterator<LocatedFileStatus> all = hdfs.listFiles(new org.apache.hadoop.fs.Path(root + "/zoo-npz"), true);
        while (all.hasNext()) {
            String name = all.next().getPath().getName();
            assertFalse(name.contains(OutputPublisher.TEMP_MARK), "temporary left on HDFS: " + name);
        }

        FileStatus before = hdfs.getFileStatus(new org.apache.hadoop.fs.Path(root + "/zoo-npz/a/sample.npz"));
        // The tree below a given folder is mirrored below --out-dir.
        run = LocalSpark.run("--to", "npz", "--out-dir", root + "/zoo-npz/a", root + "/zoo/a");
        assertEquals(ConvertJob.OK, run.status(), run.stderr());
        assertTrue(run.stderr().contains("0 converted, " + GOOD.length + " skipped, 0 failed"), run.stderr());
        assertEquals(before.getModificationTime(),
                hdfs.getFileStatus(before.getPath()).getModificationTime(), "a rerun rewrites nothing");
    }

    private static byte[] read(org.apache.hadoop.fs.Path p) throws IOException {
        try (InputStream in = hdfs.open(p)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
