package org.pthconvert.writers.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayInputStream;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.pickle.reader.DataOnlyHooks;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.reader.Unpickler;

/** The opcodes CPython's pickler picks, checked byte by byte, and read back by our own unpickler. */
class PickleWriterTest {

    private static final byte[] PROTO2 = {(byte) 0x80, 2};

    @Test
    void integersUseTheSmallestOpcodeCPythonWould() {
        assertArrayEquals(bytes(PROTO2, new byte[] {'K', (byte) 0xff, '.'}), bytesOf(new PickleWriter().integer(255).finish()));
        assertArrayEquals(bytes(PROTO2, new byte[] {'M', 0, 1, '.'}), bytesOf(new PickleWriter().integer(256).finish()));
        assertArrayEquals(bytes(PROTO2, new byte[] {'J', 0, 0, 1, 0, '.'}), bytesOf(new PickleWriter().integer(65536).finish()));
        assertArrayEquals(bytes(PROTO2, new byte[] {'J', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, '.'}),
                bytesOf(new PickleWriter().integer(-1).finish()));
        // 2**31: LONG1 with 5 bytes (a sign byte), as pickle.dumps(2**31, 2) gives
        assertArrayEquals(bytes(PROTO2, new byte[] {(byte) 0x8a, 5, 0, 0, 0, (byte) 0x80, 0, '.'}),
                bytesOf(new PickleWriter().integer(1L << 31).finish()));
    }

    /**
     * A str as pickle.dumps(s, 2) writes it (UTF-8 with 'surrogatepass'): pickle.dumps('a\ud800b\U0001f600', 2)
     * holds 61 ED A0 80 62 F0 9F 98 80; a lone surrogate is kept, never written as '?'.
     */
    @Test
    void strKeepsLoneSurrogatesAsCPythonDoes() throws Exception {
        byte[] want = {'X', 9, 0, 0, 0, 'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b', (byte) 0xF0, (byte) 0x9F,
                (byte) 0x98, (byte) 0x80, '.'};
        assertArrayEquals(bytes(PROTO2, want), bytesOf(new PickleWriter().str("a\uD800b\uD83D\uDE00").finish()));
        List<String> strings = List.of("plain", "é", "\u20AC\u0800\u07FF\uFFFF", "\uDC00", "x\uD800", "\uDBFF\uDFFF",
                "\uDE00\uD83D", "\uD800\uD800\uDC00");
        for (String s : strings) {
            if (s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF)) {
                assertArrayEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), PickleWriter.utf8SurrogatePass(s), s);
            }
        }
        PickleWriter w = new PickleWriter();
        w.mark();
        for (String s : strings) {
            w.str(s);
        }
        w.markTuple();
        PTuple t = (PTuple) new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, "t")
                .load(new ByteArrayInputStream(bytesOf(w.finish())));
        for (int i = 0; i < strings.size(); i++) {
            assertEquals(strings.get(i), t.get(i).toString(), "string " + i);
        }
    }

    @Test
    void decimalStrIsTheStrOfTheNumber() {
        for (int n : new int[] {0, 1, 9, 10, 99, 100, 12345, 99999, 100000, Integer.MAX_VALUE}) {
            assertArrayEquals(bytesOf(new PickleWriter().str(Integer.toString(n)).finish()),
                    bytesOf(new PickleWriter().decimalStr(n).finish()), Integer.toString(n));
        }
    }

    @Test
    void readsBackThroughOurUnpickler() throws Exception {
        long[] values = {0, 1, 255, 256, 65535, 65536, Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE,
                -1, Integer.MIN_VALUE, Long.MIN_VALUE};
        PickleWriter w = new PickleWriter();
        w.mark();
        for (long v : values) {
            w.integer(v);
        }
        w.markTuple();
        PickleValue got = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, "t")
                .load(new ByteArrayInputStream(bytesOf(w.finish())));
        List<PickleValue> items = assertInstanceOf(PTuple.class, got).items();
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], ((PInt) items.get(i)).longValueExact());
        }
    }

    @Test
    void memoSlotsPast255UseTheLongForms() throws Exception {
        PickleWriter w = new PickleWriter();
        w.mark();
        for (int i = 0; i < 300; i++) {
            w.str("s" + i);
            w.put();
        }
        w.get(299);
        w.markTuple();
        PTuple t = (PTuple) new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, "t")
                .load(new ByteArrayInputStream(bytesOf(w.finish())));
        assertEquals(301, t.size());
        assertEquals("s299", t.get(300).toString());
    }

    @Test
    void stringsAreUtf8WithTheirByteLengthAndGlobalsComeBackFromTheMemo() {
        // Starting smaller than the first string: the buffer grows past its first guess.
        byte[] got = bytesOf(new PickleWriter(16).str("aé中").global("torch", "FloatStorage")
                .global("torch", "FloatStorage").global("torch", "LongStorage").finish());
        byte[] want = bytes(PROTO2, new byte[] {'X', 6, 0, 0, 0, 'a', (byte) 0xc3, (byte) 0xa9, (byte) 0xe4, (byte) 0xb8,
                (byte) 0xad,
                'c', 't', 'o', 'r', 'c', 'h', '\n', 'F', 'l', 'o', 'a', 't', 'S', 't', 'o', 'r', 'a', 'g', 'e', '\n', 'q', 0,
                'h', 0,
                'c', 't', 'o', 'r', 'c', 'h', '\n', 'L', 'o', 'n', 'g', 'S', 't', 'o', 'r', 'a', 'g', 'e', '\n', 'q', 1,
                '.'});
        assertArrayEquals(want, got);
    }

    private static byte[] bytesOf(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] bytes(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
