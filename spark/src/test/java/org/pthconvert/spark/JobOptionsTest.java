package org.pthconvert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.InvalidRequestException;

class JobOptionsTest {

    @Test
    void parsesTheIssuesCommandLine() {
        JobOptions o = JobOptions.parse("--to", "safetensors", "--out-dir", "hdfs:///zoo-st/", "hdfs:///zoo/",
                "@manifest.txt", "--report", "hdfs:///zoo-st/_report", "--dtype", "bfloat16", "--skip-unsupported",
                "--select", "all", "--force", "--report-format", "parquet", "--max-shard-size", "5GB");
        assertEquals("safetensors", o.to());
        assertEquals(List.of("hdfs:///zoo/", "@manifest.txt"), o.inputs());
        assertEquals(Dtype.BF16, o.castTo());
        assertTrue(o.skipUnsupported() && o.force());
        assertEquals("parquet", o.reportFormat());
        assertEquals(5_000_000_000L, o.maxShardSize());
    }

    @Test
    void usageErrorsAreCaughtBeforeAnyWork() {
        assertThrows(InvalidRequestException.class, () -> JobOptions.parse("--out-dir", "o", "in"));
        assertThrows(InvalidRequestException.class, () -> JobOptions.parse("--to", "npz", "in"));
        assertThrows(InvalidRequestException.class, () -> JobOptions.parse("--to", "npz", "--out-dir", "o"));
        assertThrows(InvalidRequestException.class,
                () -> JobOptions.parse("--to", "npz", "--out-dir", "o", "--dtype", "int8", "in"));
        assertThrows(InvalidRequestException.class,
                () -> JobOptions.parse("--to", "npz", "--out-dir", "o", "--report-format", "csv", "in"));
        assertThrows(InvalidRequestException.class, () -> JobOptions.parse("--to", "npz", "--out-dir", "o", "--bogus"));
        assertThrows(InvalidRequestException.class, () -> JobOptions.parse("--to", "npz", "--out-dir"));
    }

    @Test
    void directoriesYieldCheckpointsOrWhatThePatternSays() {
        JobOptions plain = JobOptions.parse("--to", "npz", "--out-dir", "o", "in");
        assertTrue(plain.takes("a/b/model.PTH"));
        assertTrue(plain.takes("x.ckpt"));
        assertFalse(plain.takes("notes.txt"));
        JobOptions pattern = JobOptions.parse("--to", "npz", "--out-dir", "o", "--pattern", "*/final/*.bin", "in");
        assertTrue(pattern.takes("run1/final/pytorch_model.bin"));
        assertFalse(pattern.takes("run1/pytorch_model.bin"));
    }

    @Test
    void outputsMirrorTheInputTree() {
        JobOptions o = JobOptions.parse("--to", "safetensors", "--out-dir", "hdfs://nn/out", "in");
        var writer = org.pthconvert.writers.service.ConversionService.standard().writers().byName("safetensors");
        assertEquals("model.safetensors", OutputNames.mainName("a/b/model.pth", writer, o));
        assertEquals("hdfs://nn/out/a/b", OutputNames.folder("hdfs://nn/out", "a/b/model.pth").toString());
        assertEquals("hdfs://nn/out", OutputNames.folder("hdfs://nn/out", "model.pth").toString());
        JobOptions sharded = JobOptions.parse("--to", "safetensors", "--out-dir", "o", "--max-shard-size", "1GB", "in");
        assertEquals("model", OutputNames.mainName("a/model.pth", writer, sharded));
    }
}
