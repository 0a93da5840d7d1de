package org.pthconvert.writers;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.writers.npz.NpzWriter;
import org.pthconvert.writers.safetensors.SafetensorsWriter;

/**
 * Writes sample outputs for {@code src/test/python/check_interop.py}, which reads them with the
 * reference libraries. Runs only with {@code -Dpthconvert.interop.dir=DIR}.
 */
@EnabledIfSystemProperty(named = "pthconvert.interop.dir", matches = ".+")
class InteropSamplesTest {

    /** Names chosen to be awkward: dots, slashes, unicode past U+FFFF, spaces, a trailing ".npy". */
    static Tensors samples() {
        return new Tensors()
                .add("layers.0.weight", Dtype.F32, Shape.of(3, 4), 1)
                .add("emb/tok\u00e9n \uD83D\uDE00", Dtype.BF16, Shape.of(2, 8), 2)
                .add("f8", Dtype.F8_E4M3FN, Shape.of(256), Fixtures.allCodes())
                .add("f8b", Dtype.F8_E5M2, Shape.of(256), Fixtures.allCodes())
                .add("f8c", Dtype.F8_E4M3FNUZ, Shape.of(256), Fixtures.allCodes())
                .add("f8d", Dtype.F8_E5M2FNUZ, Shape.of(256), Fixtures.allCodes())
                .add("f8e", Dtype.F8_E8M0FNU, Shape.of(256), Fixtures.allCodes())
                .add("half", Dtype.F16, Shape.of(5), 3)
                .add("scalar", Dtype.F64, Shape.SCALAR, 4)
                .add("empty", Dtype.I32, Shape.of(0, 2), 5)
                .add("flags", Dtype.BOOL, Shape.of(3), 6)
                .add("w.npy", Dtype.I16, Shape.of(2), 7)
                .add("\uffff", Dtype.U8, Shape.of(2), 8);
    }

    @Test
    void writeSamples() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("pthconvert.interop.dir")));
        Tensors t = samples();
        t.writeAll(new SafetensorsWriter(), dir.resolve("samples.safetensors"), WriteOptions.DEFAULTS);
        t.writeAll(new NpzWriter(), dir.resolve("samples.npz"), WriteOptions.DEFAULTS);
        t.writeAll(new NpzWriter(), dir.resolve("samples-compressed.npz"), WriteOptions.DEFAULTS.withCompress(true));
        t.writeAll(new NpzWriter(), dir.resolve("samples-raw.npz"), WriteOptions.DEFAULTS.withRawBits(true));
        Path sharded = Files.createDirectories(dir.resolve("sharded"));
        t.writeAll(new SafetensorsWriter(), sharded, WriteOptions.DEFAULTS.withMaxShardSize(600));
        for (String name : t.specs().stream().map(s -> s.name()).toList()) {
            Files.write(dir.resolve("raw-" + Integer.toHexString(name.hashCode()) + ".bin"), t.bytes(name));
        }
    }
}
