package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue;

/** Memo, bounded input and text forms on their own. */
class InternalsTest {

    @Test
    void memoIsDenseForSequentialIndicesAndSparseOtherwise() throws CheckpointException {
        Memo m = new Memo(Long.MAX_VALUE, new MemoryBudget(Long.MAX_VALUE));
        for (int i = 0; i < 5000; i++) {
            m.put(i, PNone.NONE);
        }
        m.put(1L << 35, PickleValue.PBool.TRUE);
        m.put(3, PickleValue.PBool.FALSE);
        assertEquals(5001, m.size());
        assertSame(PickleValue.PBool.TRUE, m.get(1L << 35));
        assertSame(PickleValue.PBool.FALSE, m.get(3));
        assertNull(m.get(5000));
        assertNull(m.get(-1));
        m.put(1L << 35, PNone.NONE);
        assertEquals(5001, m.size());
        assertEquals(Reason.LIMIT, assertThrows(CheckpointException.class, () -> new Memo(10, new MemoryBudget(Long.MAX_VALUE)).put(10, PNone.NONE))
                .reason());
    }

    @Test
    void inputCountsOnlyWhatItConsumes() throws Exception {
        InputStream in = new ByteArrayInputStream("ab\ncdefgh".getBytes(StandardCharsets.US_ASCII));
        PickleInput p = new PickleInput(in, 100);
        assertEquals("ab", new String(p.line(10, "line"), StandardCharsets.US_ASCII));
        assertEquals('c', p.u8());
        assertEquals(3 + 1, p.position());
        assertEquals("de", new String(p.bytes(2, 10, "x"), StandardCharsets.US_ASCII));
        assertEquals(6, p.position());
        assertEquals('f' | 'g' << 8, p.u16());
        assertEquals(8, p.position());
        CheckpointException e = assertThrows(CheckpointException.class, () -> p.s32());
        assertTrue(e.detail().contains("needs 4 argument bytes but only 1 follow"), e.detail());
        assertEquals(9, p.position(), "a truncated argument consumes what there was");
        assertEquals(-1, p.opcodeByte());
    }

    @Test
    void inputReadsValuesAcrossItsBufferAndStreamsThatGiveLittle() throws Exception {
        // 70,000 bytes, so values straddle the 64 KiB buffer's refill; the stream gives at most 3 bytes per read.
        byte[] data = new byte[70_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 3);
        }
        InputStream trickle = new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3));
            }
        };
        PickleInput p = new PickleInput(trickle, data.length);
        int i = 0;
        while (i + 8 <= data.length) {
            assertEquals(data[i] & 0xff, p.opcodeByte());
            int v = p.s32();
            assertEquals((data[i + 1] & 0xff) | (data[i + 2] & 0xff) << 8 | (data[i + 3] & 0xff) << 16
                    | data[i + 4] << 24, v, "at " + i);
            byte[] three = p.bytes(3, 10, "x");
            assertEquals(data[i + 5], three[0]);
            assertEquals(data[i + 7], three[2]);
            i += 8;
            assertEquals(i, p.position());
        }
        assertEquals(Reason.LIMIT, assertThrows(CheckpointException.class, () -> p.bytes(data.length, data.length + 1, "y"))
                .reason(), "the limit counts consumed bytes");
    }

    @Test
    void integersFollowPythonsIntRules() throws CheckpointException {
        assertEquals(BigInteger.valueOf(-255), TextForms.parseInt(bytes(" -0xF_f\t"), true, 100));
        assertEquals(BigInteger.valueOf(10), TextForms.parseInt(bytes("010"), false, 100));
        assertEquals(BigInteger.ZERO, TextForms.parseInt(bytes("0_0"), true, 100));
        for (String bad : new String[] {"010", "_1", "1_", "0x", "0b2", "1 2", "--1", "0x__1", "+"}) {
            assertThrows(CheckpointException.class, () -> TextForms.parseInt(bytes(bad), true, 100), bad);
        }
        assertThrows(CheckpointException.class, () -> TextForms.parseInt(bytes("0x10"), false, 100));
        assertEquals(Reason.LIMIT, assertThrows(CheckpointException.class,
                () -> TextForms.parseInt(bytes("12345"), true, 4)).reason());
        assertEquals(BigInteger.valueOf(-2), TextForms.decodeLong(new byte[] {(byte) 0xfe, (byte) 0xff}));
    }

    @Test
    void utf8IsStrict() {
        assertEquals("\ud800", TextForms.utf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, true));
        assertNull(TextForms.utf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, false));
        assertNull(TextForms.utf8(new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0x80}, true), "overlong");
        assertNull(TextForms.utf8(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, true));
        assertNull(TextForms.utf8(new byte[] {(byte) 0xe2, (byte) 0x82}, true), "truncated");
        assertEquals("\u20ac\ud83d\ude00", TextForms.utf8(new byte[] {(byte) 0xe2, (byte) 0x82, (byte) 0xac,
                (byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80}, false));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
