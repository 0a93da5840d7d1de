package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.testdata.Fixtures;

/** inspect shows hyper-parameter values torch's safe loader refuses, and quantization parameters. */
class InspectValuesTest {

    private static CliRun inspect(String fixture, String... more) {
        String[] args = new String[2 + more.length];
        args[0] = "inspect";
        args[1] = Fixtures.file(fixture).toString();
        System.arraycopy(more, 0, args, 2, more.length);
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    @Test
    void numpyScalarsArraysAndNamespaces() {
        String out = inspect("numpy_hparams.ckpt").out();
        for (String s : new String[] {"lr: numpy.float64(0.01)", "seed: numpy.int64(42)",
                "mean: numpy.ndarray float32 (3,) [0.0, 1.0, 2.0]", "args: argparse.Namespace", "arch: 'mlp'",
                "layers: [16, 32]", "class_weights: float32 [4]"}) {
            assertTrue(out.contains(s), s + " missing from\n" + out);
        }
        String json = inspect("numpy_hparams.ckpt", "--json").out();
        assertTrue(json.contains("numpy.float64(0.01)") && json.contains("numpy.ndarray float32 (3,)"), json);
    }

    @Test
    void perChannelQuantizationShowsItsValues() {
        String out = inspect("quantized.pth").out();
        for (String s : new String[] {"per_tensor_qint8: qint8 [5]", "scale 0.1 zero_point -3",
                "per_channel_affine axis 0 scales [0.1, 0.02, 0.3] zero_points [0, 1, -2]",
                "per_channel_affine axis 1 scales [0.5, 0.25, 0.125] zero_points [10, 20, 30]"}) {
            assertTrue(out.contains(s), s + " missing from\n" + out);
        }
    }

    /** [[[0..999]] * 1000] * 1000 through the memo: 10**6 values on paths, inspect shows a bounded part. */
    @Test
    void sharedContainersPrintABoundedTree(@TempDir Path dir) throws Exception {
        java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2, ']', '('});
        for (int i = 0; i < 1000; i++) {
            p.writeBytes(new byte[] {'J', (byte) i, (byte) (i >> 8), 0, 0});
        }
        p.write('e');
        for (int level = 0; level < 2; level++) {
            p.writeBytes(new byte[] {'q', (byte) level, '0', ']', '('});
            for (int i = 0; i < 1000; i++) {
                p.writeBytes(new byte[] {'h', (byte) level});
            }
            p.write('e');
        }
        p.write('.');
        Path file = dir.resolve("shared.pth");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            z.putNextEntry(new java.util.zip.ZipEntry("shared/data.pkl"));
            z.write(p.toByteArray());
            z.closeEntry();
        }
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> CliRun.of("inspect", file.toString()));
        assertEquals(0, r.code(), r.err());
        long lines = r.out().lines().count();
        assertTrue(lines < 110_000, lines + " lines");
        assertTrue(r.out().contains("more not shown (inspect shows at most 100000 values)"), r.err());
    }
}
