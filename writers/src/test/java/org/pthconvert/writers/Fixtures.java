package org.pthconvert.writers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;

/** The byte pattern and fixture files shared with {@code src/test/python/make_fixtures.py}. */
public final class Fixtures {

    private Fixtures() {
    }

    /** Byte k is {@code (k * 31 + seed) & 0xFF}; for bool, {@code k % 2}. */
    public static byte[] pattern(Dtype dtype, Shape shape, int seed) {
        int size = Math.toIntExact(new TensorSpec("", dtype, shape).byteLength());
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (dtype == Dtype.BOOL ? k % 2 : k * 31 + seed);
        }
        return b;
    }

    /** Every code 0..255 in order: the float8 npz tensors. */
    public static byte[] allCodes() {
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    public static byte[] resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource fixtures/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
