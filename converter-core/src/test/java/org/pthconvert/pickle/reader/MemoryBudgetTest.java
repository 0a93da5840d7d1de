package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.DictKey;

/** The total memory budget of one pickle, and dict keys that collide in Java's own hashes. */
class MemoryBudgetTest {
    private static final PickleLimits ONE_MIB = PickleLimits.DEFAULTS.withMaxBuiltBytes(1 << 20);

    private static byte[] repeat(String head, String unit, int n, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Pk.of(head));
        byte[] u = Pk.of(unit);
        for (int i = 0; i < n; i++) {
            out.writeBytes(u);
        }
        out.writeBytes(Pk.of(tail));
        return out.toByteArray();
    }

    @Test
    void defaultsFollowTheHeap() {
        assertTrue(PickleLimits.DEFAULTS.maxBuiltBytes() >= Runtime.getRuntime().maxMemory() / 2);
    }

    @Test
    void manyItemsAreRefusedAsOverTheBudget() {
        // EMPTY_LIST MARK (NONE x 200,000) APPENDS: every value is tiny, together 1.6 MB of references.
        CheckpointException e = Pk.fail(repeat("\u0080\u0002](", "N", 200_000, "e."), ONE_MIB);
        assertEquals(Reason.LIMIT, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("MiB of values"), e.getMessage());
    }

    @Test
    void manyMemoEntriesAreRefusedAsOverTheBudget() {
        CheckpointException e = Pk.fail(repeat("\u0080\u0004N", "\u0094", 100_000, "."), ONE_MIB);
        assertEquals(Reason.LIMIT, e.reason(), e.getMessage());
    }

    @Test
    void aHugeDeclaredPayloadIsRefusedBeforeItIsAllocated() {
        // BINBYTES8 declaring 200 MiB, with an 8 MiB budget: refused by the budget, not read or allocated.
        byte[] data = Pk.of("\u0080\u0004\u008e", Pk.u64(200L << 20), ".");
        CheckpointException e = Pk.fail(data, PickleLimits.DEFAULTS.withMaxBuiltBytes(8 << 20));
        assertEquals(Reason.LIMIT, e.reason(), e.getMessage());
    }

    @Test
    void ordinaryPicklesFitEasily() throws CheckpointException {
        assertInstanceOf(PickleValue.PList.class, Pk.load(repeat("\u0080\u0002](", "N", 10_000, "e."),
                new DataOnlyHooks(), ONE_MIB));
    }

    /** 2^n distinct strings with one Java String.hashCode: blocks of "Aa" and "BB". */
    private static List<String> colliding(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 1 << n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int b = 0; b < n; b++) {
                sb.append((i >> b & 1) == 0 ? "Aa" : "BB");
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void keysCollidingInJavasHashAreOrderedSoBucketsStayTrees() {
        List<String> keys = colliding(12);
        assertEquals(1, keys.stream().map(String::hashCode).distinct().count());
        List<DictKey> dk = keys.stream().map(k -> DictKey.of(new PStr(k))).toList();
        // A total order consistent with equals: what lets HashMap keep a colliding bucket as a tree.
        for (int i = 0; i + 1 < dk.size(); i++) {
            int c = dk.get(i).compareTo(dk.get(i + 1));
            assertTrue(c != 0 && Integer.signum(c) == -Integer.signum(dk.get(i + 1).compareTo(dk.get(i))));
        }
        assertEquals(0, DictKey.of(new PStr("AaBB")).compareTo(DictKey.of(new PStr("AaBB"))));
        assertEquals(0, DictKey.of(PickleValue.PInt.of(1)).compareTo(DictKey.of(new PickleValue.PFloat(1.0))));
        assertTrue(Comparable.class.isAssignableFrom(DictKey.class));
        // A dict files str keys as themselves: they must be ordered too.
        assertTrue(Comparable.class.isAssignableFrom(PStr.class));
    }

    @Test
    void aDictOfCollidingKeysLoadsWithEveryKey() throws CheckpointException {
        List<String> keys = colliding(13);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Pk.of("\u0080\u0002}("));
        for (String k : keys) {
            out.writeBytes(Pk.of("X", Pk.u32(k.length()), k, "N"));
        }
        out.writeBytes(Pk.of("u."));
        PDict d = assertInstanceOf(PDict.class, Pk.load(out.toByteArray()));
        assertEquals(keys.size(), d.size());
    }
}
