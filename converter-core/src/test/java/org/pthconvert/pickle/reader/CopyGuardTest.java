package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * Calls that copy their argument, repeated through the memo: five bytes of pickle per copy of a
 * 100,000-item list must not buy unbounded work. The first copy is free, repeated ones are charged.
 */
class CopyGuardTest {
    /** Against a hang only: the copy budget, not the clock, is what each case checks. */
    private static final Duration QUICK = Duration.ofSeconds(60);

    /** A memoized list of {@code n} ints at memo 0, then {@code copies} times: BINGET 0, TUPLE1, REDUCE, POP. */
    private static byte[] repeatedCopies(String module, String name, int n, int copies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Pk.of("\u0080\u0002](", "K\u0001".repeat(n), "eq\u0000c" + module + "\n" + name + "\nq\u00010"));
        for (int i = 0; i < copies; i++) {
            out.writeBytes(Pk.of("h\u0001h\u0000\u0085R0"));
        }
        out.writeBytes(Pk.of("."));
        return out.toByteArray();
    }

    @Test
    void aFewCopiesAreFine() throws CheckpointException {
        PList l = assertInstanceOf(PList.class, Pk.load(repeatedCopies("__builtin__", "list", 100_000, 10)));
        assertEquals(100_000, l.items().size());
    }

    @Test
    void copyingTheSameListOverAndOverIsALimit() {
        for (String[] g : new String[][] {{"__builtin__", "list"}, {"builtins", "set"}, {"builtins", "tuple"},
                {"builtins", "frozenset"}}) {
            CheckpointException e = assertTimeoutPreemptively(QUICK,
                    () -> Pk.fail(repeatedCopies(g[0], g[1], 100_000, 100_000)));
            assertEquals(Reason.LIMIT, e.reason(), e.getMessage());
            // Sets hash every member as they copy it: the key-hashing budget may run out first.
            assertTrue(e.getMessage().contains("copies the same values over and over")
                    || e.getMessage().contains("set members cost more than"), e.getMessage());
        }
    }

    @Test
    void orderedDictCopiesAndBuildsAreCharged() {
        // d = {'k0': 0, 'k1': 0, ...} (memo 0); then OrderedDict(d) and BUILD(OrderedDict(), d) over and over.
        ByteArrayOutputStream dict = new ByteArrayOutputStream();
        dict.writeBytes(Pk.of("\u0080\u0002}q\u0000("));
        for (int i = 0; i < 50_000; i++) {
            byte[] key = ("k" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            dict.writeBytes(Pk.of("X", Pk.u32(key.length), key, "K\u0000"));
        }
        dict.writeBytes(Pk.of("u0ccollections\nOrderedDict\nq\u00010"));
        byte[] head = dict.toByteArray();
        ByteArrayOutputStream copies = new ByteArrayOutputStream();
        copies.writeBytes(head);
        for (int i = 0; i < 100_000; i++) {
            copies.writeBytes(Pk.of("h\u0001h\u0000\u0085R0"));
        }
        copies.writeBytes(Pk.of("N."));
        assertEquals(Reason.LIMIT, assertTimeoutPreemptively(QUICK, () -> Pk.fail(copies.toByteArray())).reason());
        ByteArrayOutputStream builds = new ByteArrayOutputStream();
        builds.writeBytes(head);
        builds.writeBytes(Pk.of("h\u0001)R"));
        for (int i = 0; i < 100_000; i++) {
            builds.writeBytes(Pk.of("h\u0000b"));
        }
        builds.writeBytes(Pk.of("."));
        CheckpointException e = assertTimeoutPreemptively(QUICK, () -> Pk.fail(builds.toByteArray()));
        assertEquals(Reason.LIMIT, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("BUILD"), e.getMessage());
    }

    /** set(L) where L holds 5000 references to one tuple of 2500 ints: each member costs ~5000 to hash. */
    @Test
    void setsOfCostlyMembersAreCharged() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Pk.of("\u0080\u0002("));
        for (int i = 0; i < 2500; i++) {
            out.writeBytes(Pk.of("J", Pk.u32(i)));
        }
        out.writeBytes(Pk.of("tq\u00000c__builtin__\nset\n](", "h\u0000".repeat(5000), "e\u0085R."));
        CheckpointException e = assertTimeoutPreemptively(QUICK, () -> Pk.fail(out.toByteArray()));
        assertEquals(Reason.LIMIT, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("set members cost more than"), e.getMessage());
    }

    @Test
    void bytesOfBytesIsTheSameValue() throws CheckpointException {
        // b = 10 MB of bytes (memo 0); bytes(b) 10,000 times: nothing is copied, so nothing is charged.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Pk.of("\u0080\u0003B", Pk.u32(10 << 20), new byte[10 << 20], "q\u0000cbuiltins\nbytes\nq\u00010"));
        for (int i = 0; i < 10_000; i++) {
            out.writeBytes(Pk.of("h\u0001h\u0000\u0085R0"));
        }
        out.writeBytes(Pk.of("h\u0001h\u0000\u0085Rcbuiltins\nbytearray\nh\u0000\u0085R\u0086."));
        PTuple t = assertInstanceOf(PTuple.class, assertTimeoutPreemptively(QUICK, () -> Pk.load(out.toByteArray())));
        PBytes same = assertInstanceOf(PBytes.class, t.get(0));
        PBytes array = assertInstanceOf(PBytes.class, t.get(1));
        assertEquals(10 << 20, same.length());
        assertTrue(array.isBytearray());
        assertEquals(10 << 20, array.length());
        assertSame(same, same);
    }
}
