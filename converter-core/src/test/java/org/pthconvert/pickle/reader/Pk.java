package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleRepr;

/** Builds pickle bytes in tests and loads them with {@link DataOnlyHooks} (or given hooks). */
final class Pk {
    static final String RECORD = "archive/data.pkl";

    private Pk() {
    }

    /** Concatenates parts: a String as latin-1 (so "\u0080" is byte 0x80), an Integer as one byte, byte[] as is. */
    static byte[] of(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            } else if (p instanceof Integer i) {
                out.write(i);
            } else if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                throw new IllegalArgumentException(String.valueOf(p));
            }
        }
        return out.toByteArray();
    }

    static byte[] u32(long v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    /** A protocol-2 GLOBAL + args tuple + REDUCE of {@code module.name(*strArgs)}. */
    static byte[] reduce(String module, String name, String... strArgs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(of("\u0080\u0002c" + module + "\n" + name + "\n("));
        for (String a : strArgs) {
            byte[] s = a.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(of("X", u32(s.length), s));
        }
        out.writeBytes(of("tR."));
        return out.toByteArray();
    }

    static PickleValue load(byte[] data) throws CheckpointException {
        return load(data, new DataOnlyHooks(), PickleLimits.DEFAULTS);
    }

    static PickleValue load(byte[] data, PickleHooks hooks, PickleLimits limits) throws CheckpointException {
        try {
            return new Unpickler(hooks, limits, RECORD).load(new ByteArrayInputStream(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CheckpointException fail(byte[] data) {
        return fail(data, new DataOnlyHooks(), PickleLimits.DEFAULTS);
    }

    static CheckpointException fail(byte[] data, PickleLimits limits) {
        return fail(data, new DataOnlyHooks(), limits);
    }

    static CheckpointException fail(byte[] data, PickleHooks hooks, PickleLimits limits) {
        return assertThrows(CheckpointException.class, () -> load(data, hooks, limits));
    }

    static CheckpointException fail(InputStream in, PickleLimits limits) {
        return assertThrows(CheckpointException.class,
                () -> new Unpickler(new DataOnlyHooks(), limits, RECORD).load(in));
    }

    static String repr(PickleValue v) {
        return PickleRepr.repr(v, Integer.MAX_VALUE - 16);
    }
}
