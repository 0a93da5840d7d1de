package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.util.BitSet;

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
    void aMissedReadIsSaid() {
        Unpickler u = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, Pk.RECORD).keepingMemo(bits(300));
        assertThrows(MemoUse.Missed.class, () -> u.load(new ByteArrayInputStream(SHARED)));
    }
}
