package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleRepr;

/** Nesting far deeper than any Java stack: loading, printing and hashing must stay iterative. */
class DeepNestingTest {
    private static final int DEPTH = 200_000;

    @Test
    void deepListFromMarksLoadsPrintsAndHashes() throws CheckpointException {
        PickleValue root = Pk.load(Pk.of("(".repeat(DEPTH) + "l".repeat(DEPTH) + "."));
        int depth = 0;
        PickleValue v = root;
        while (v instanceof PList l && !l.items().isEmpty()) {
            v = l.items().get(0);
            depth++;
        }
        assertEquals(DEPTH - 1, depth);
        String text = PickleRepr.repr(root);
        assertEquals(PickleRepr.DEFAULT_MAX_CHARS + 3, text.length());
        assertTrue(text.startsWith("[[[[") && text.endsWith("..."));
        assertEquals(2 * DEPTH, Pk.repr(root).length());
        assertEquals(System.identityHashCode(root), root.hashCode());
        assertEquals(root, root);
        assertEquals("list[1]", root.toString());
    }

    @Test
    void deepTupleAsDictKey() throws CheckpointException {
        PDict d = assertInstanceOf(PDict.class,
                Pk.load(Pk.of("}" + "(".repeat(DEPTH) + "t".repeat(DEPTH) + "K\u0001s.")));
        assertEquals(1, d.size());
        PickleValue key = d.entries().iterator().next().getKey();
        assertInstanceOf(PTuple.class, key);
        assertEquals("1", d.get(key).toString());
        assertTrue(PickleRepr.repr(key, 100).startsWith("(((((("));
    }

    @Test
    void deepChainThroughTheMemoNeedsNoMarks() throws CheckpointException {
        // L0 = []; then DEPTH times: Lnew = []; Lprev.append(Lnew); continue from Lnew.
        StringBuilder sb = new StringBuilder("]q\u0001");
        for (int i = 0; i < DEPTH; i++) {
            sb.append("]q\u0000a0h\u0000");
        }
        sb.append("0h\u0001.");
        PickleValue root = Pk.load(Pk.of(sb.toString()));
        int depth = 0;
        for (PickleValue v = root; v instanceof PList l && !l.items().isEmpty(); v = l.items().get(0)) {
            depth++;
        }
        assertEquals(DEPTH, depth);
        assertEquals(2 * (DEPTH + 1), Pk.repr(root).length());
    }

    @Test
    void deepDictsAndSelfReference() throws CheckpointException {
        // D0 = {}; then DEPTH times: Dprev[1] = Dnew = {}; finally D0[2] = D0.
        StringBuilder sb = new StringBuilder("}q\u0001");
        for (int i = 0; i < DEPTH; i++) {
            sb.append("K\u0001}q\u0000s0h\u0000");
        }
        sb.append("0h\u0001K\u0002h\u0001s.");
        PDict d = assertInstanceOf(PDict.class, Pk.load(Pk.of(sb.toString())));
        assertSame(d, d.get(PickleValue.PInt.of(2)));
        String text = Pk.repr(d);
        assertTrue(text.startsWith("{1: {1: {1: "), text.substring(0, 20));
        assertTrue(text.endsWith("{}" + "}".repeat(DEPTH - 1) + ", 2: {...}}"), text.substring(text.length() - 20));
    }
}
