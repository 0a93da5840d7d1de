package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/** Per-channel quantization parameters from crafted files: other dtypes, float zero points, bad counts. */
class QuantParamsTest {
    @TempDir
    Path dir;

    private Path file(String scheme, String scaleType, byte[] scales, String zeroType, byte[] zeros, long channels,
                      long axis) {
        byte[] pickle = new TorchPickle().beginDict().str("q")
                .qtensorPerChannel("0", 6, new long[] {3, 2}, new long[] {2, 1}, scheme, scaleType, "1", zeroType,
                        "2", channels, axis)
                .endDict().stop();
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("0", new byte[6]);
        records.put("1", scales);
        records.put("2", zeros);
        Path f = dir.resolve("q.pth");
        TorchPickle.zip(f, pickle, records, false);
        return f;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    @Test
    void float32ScalesAndInt32ZeroPoints() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(file("per_channel_affine", "FloatStorage", floats(0.5f, 0.25f, 2f),
                "IntStorage", ints(-1, 0, 7), 3, 0))) {
            var q = ckpt.tensors().get(0).view().quantization();
            assertEquals(List.of(0.5, 0.25, 2.0), q.scales());
            assertEquals(List.of(-1L, 0L, 7L), q.zeroPoints());
            assertEquals(0, q.axis());
        }
    }

    @Test
    void integralFloatZeroPointsAreKeptOtherFloatsMakeTheTensorUnreadable() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(file("per_channel_affine_float_qparams", "FloatStorage",
                floats(1, 2, 3), "FloatStorage", floats(0, 3, -2), 3, 0))) {
            assertEquals(List.of(0L, 3L, -2L), ckpt.tensors().get(0).view().quantization().zeroPoints());
        }
        try (Checkpoint ckpt = Checkpoint.open(file("per_channel_affine_float_qparams", "FloatStorage",
                floats(1, 2, 3), "FloatStorage", floats(0.5f, 3, -2), 3, 0))) {
            assertEquals(0, ckpt.tensors().size());
            assertEquals(1, ckpt.unreadable().size());
            assertEquals("q", ckpt.unreadable().get(0).name());
            assertTrue(ckpt.unreadable().get(0).reason().contains("zero points that are not integers"),
                    ckpt.unreadable().get(0).reason());
        }
    }

    @Test
    void countsAndAxesMustFit() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(file(
                "per_channel_affine", "FloatStorage", floats(1, 2), "IntStorage", ints(0, 0), 2, 0)));
        assertEquals(Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains("tensor 'q': has 3 channels along axis 0 but 2 quantization scales"),
                e.getMessage());
        CheckpointException axis = assertThrows(CheckpointException.class, () -> Checkpoint.open(file(
                "per_channel_affine", "FloatStorage", floats(1, 2), "IntStorage", ints(0, 0), 2, 2)));
        assertTrue(axis.getMessage().contains("quantization axis 2 is not a dimension of shape [3, 2]"),
                axis.getMessage());
        // Parameter tensors that do not fit their storages: reported, never read past the record.
        CheckpointException shortScales = assertThrows(CheckpointException.class, () -> Checkpoint.open(file(
                "per_channel_affine", "FloatStorage", floats(1), "IntStorage", ints(0, 0, 0), 3, 0)));
        assertEquals(Reason.INVALID, shortScales.reason(), shortScales.getMessage());
    }
}
