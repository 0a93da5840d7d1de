package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;

/** The first walk finds the memo reads; a memo told to keep only those gives the same value, or says it missed one. */
class MemoUseTest {

    private static BitSet scan(byte[] pickle) throws Exception {
        return MemoUse.scan(new ByteArrayInputStream(pickle));
    }

    private static BitSet bits(int... indices) {
        BitSet b = new BitSet();
        for (int i : indices) {
            b.set(i);
        }
        return b;
    }

    /** [s, s, t, t] with s and t memoized: protocol 2, strings, BINPUT/BINGET, LONG_BINPUT/LONG_BINGET. */
    private static final byte[] SHARED = Pk.of("\u0080\u0002]q\u0000(X", Pk.u32(1), "sq\u0001h\u0001X", Pk.u32(1),
            "tr", Pk.u32(300), "j", Pk.u32(300), "e.");

    @Test
    void findsBinaryAndTextReads() throws Exception {
        assertEquals(bits(1, 300), scan(SHARED));
        // protocol 0: text PUT and GET
        assertEquals(bits(7), scan(Pk.of("(lp0\nVa\np7\nag7\na.")));
        // GLOBAL's two lines are skipped whole: the 'g' and 'h' in them are data
        assertEquals(bits(3), scan(Pk.of("cgmod\nhname\np3\ng3\n0.")));
        // arguments of every length kind are skipped, not read as opcodes: 'h' inside a string is data
        assertEquals(new BitSet(), scan(Pk.of("\u0080\u0004\u0095", Pk.u64(20), "\u008c\u0003hhh\u0094C\u0002hh\u0094\u0086.")));
    }

    @Test
    void undecidedOnWhatItDoesNotFollow() throws Exception {
        assertNull(scan(Pk.of("\u0080\u0002]q\u0000")), "no STOP");
        assertNull(scan(Pk.of("\u0080\u0002\u00ff.")), "an unknown opcode");
        assertNull(scan(Pk.of("(lp0\nVa\np0\nag+0\na.")), "a GET index spelled otherwise than plain digits");
        assertNull(scan(Pk.of("\u0080\u0002j", Pk.u32(1L << 30), ".")), "an index past the walk's range");
    }

    @Test
    void keepingOnlyWhatIsReadGivesTheSameValue() throws Exception {
        PickleValue all = Pk.load(SHARED);
        PickleValue kept = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, Pk.RECORD).keepingMemo(scan(SHARED))
                .load(new ByteArrayInputStream(SHARED));
        assertEquals(Pk.repr(all), Pk.repr(kept));
    }

    @Test
    void longPicklesAreWalkedAsShortOnes() throws Exception {
        // Long enough for the walk's reading straight from its buffer: reads among strings holding 'h'
        // and 'j', a string longer than what is left in the buffer, and an index past the walk's range.
        byte[] strings = Pk.of("\u0080\u0002]q\u0000(X", Pk.u32(40), "h".repeat(40), "q\u0001\u008c\u0010", "jjjjjjjjjjjjjjjj",
                "q\u0002h\u0001h\u0002K\u0007K\u0068M\u0068\u0068");
        assertEquals(bits(1, 2), scan(Pk.of(strings, "e.")));
        byte[] big = Pk.of(strings, "X", Pk.u32(200_000), "h".repeat(200_000), "j", Pk.u32(2), "e.");
        assertEquals(bits(1, 2), scan(big));
        assertNull(scan(Pk.of(strings, "j", Pk.u32(1L << 30), "K\u0001".repeat(20), "e.")), "an index past the range");
        assertNull(scan(Pk.of(strings, "\u00ff", "K\u0001".repeat(20), "e.")), "an unknown opcode");
    }

    @Test
    void theWalkFindsWhatAPlainWalkFindsInEveryFixtureAndMutant() throws IOException {
        List<byte[]> pickles = TensorRunTest.pickles().map(row -> (byte[]) row[1]).toList();
        Random random = new Random(11);
        int compared = 0;
        for (int i = 0; i < pickles.size() + 3000; i++) {
            byte[] p = pickles.get(i % pickles.size());
            if (i >= pickles.size() && p.length > 0) {
                p = p.clone();
                for (int k = 0; k < 1 + random.nextInt(3); k++) {
                    p[random.nextInt(p.length)] = (byte) random.nextInt(256);
                }
            }
            assertEquals(plainWalk(p), MemoUse.scan(new ByteArrayInputStream(p)), "pickle " + i);
            compared++;
        }
        assertEquals(pickles.size() + 3000, compared);
    }

    /** The same walk, written plainly from the opcode table: one opcode at a time over the array. */
    private static BitSet plainWalk(byte[] p) {
        BitSet used = new BitSet();
        int at = 0;
        while (at < p.length) {
            Opcode op = Opcode.of(p[at++] & 0xff);
            if (op == null) {
                return null;
            }
            int n = op.arg().n();
            long index = -1;
            switch (op) {
                case STOP -> {
                    return used;
                }
                case BINGET -> index = at < p.length ? p[at] & 0xff : -2;
                case LONG_BINGET -> index = at + 4 <= p.length ? u32(p, at) : -2;
                case GET -> {
                    int nl = newline(p, at);
                    if (nl < 0) {
                        return null;
                    }
                    String digits = new String(p, at, nl - at, java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)
                            || !digits.chars().allMatch(c -> c < 128)) {
                        return null;
                    }
                    index = Long.parseLong(digits);
                    at = nl + 1;
                    n = 0;
                }
                default -> {
                }
            }
            if (index == -2) {
                return null;
            }
            if (index >= 0) {
                if (index >= MemoUse.MAX_INDEX) {
                    return null;
                }
                used.set((int) index);
            }
            if (op.arg() == Opcode.Arg.STRINGNL_NOESCAPE_PAIR) {
                for (int line = 0; line < 2; line++) {
                    int nl = newline(p, at);
                    if (nl < 0) {
                        return null;
                    }
                    at = nl + 1;
                }
            } else if (op != Opcode.GET && n == Opcode.Arg.UP_TO_NEWLINE) {
                int nl = newline(p, at);
                if (nl < 0) {
                    return null;
                }
                at = nl + 1;
            } else if (n >= 0) {
                at += n;
            } else {
                int width = n == Opcode.Arg.LENGTH_U1 ? 1 : n == Opcode.Arg.LENGTH_U8 ? 8 : 4;
                if (at + width > p.length) {
                    return null;
                }
                long length = 0;
                for (int i = width - 1; i >= 0; i--) {
                    length = length << 8 | (p[at + i] & 0xff);
                }
                if (n == Opcode.Arg.LENGTH_S4) {
                    length = (int) length;
                }
                if (length < 0) {
                    return null;
                }
                at += width;
                if (length > p.length - at) {
                    return null;
                }
                at += (int) length;
            }
        }
        return null;
    }

    private static int newline(byte[] p, int from) {
        for (int i = from; i < p.length; i++) {
            if (p[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static long u32(byte[] p, int at) {
        return (p[at] & 0xff | (p[at + 1] & 0xff) << 8 | (p[at + 2] & 0xff) << 16 | (long) (p[at + 3] & 0xff) << 24);
    }

    @Test
    void aMissedReadIsSaid() {
        Unpickler u = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, Pk.RECORD).keepingMemo(bits(300));
        assertThrows(MemoUse.Missed.class, () -> u.load(new ByteArrayInputStream(SHARED)));
    }
}
