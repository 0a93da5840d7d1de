package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleRepr;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PHookValue;
import org.pthconvert.pickle.PickleValue.PInt;

/**
 * A value a hook builds ({@link PHookValue}, how torch's tensors enter the tree) is carried inert:
 * the interpreter memoizes and places it like any value, compares it as a dict key by identity even
 * when the hook's own type defines value equality, and prints it by its {@code toString}.
 */
class HookValueTest {

    /** Value-equal by design (a record), to show the interpreter does not use that equality. */
    record Handle(String id) implements PHookValue {
        @Override
        public String typeName() { return "handle"; }

        @Override
        public String toString() { return "<handle " + id + ">"; }
    }

    @Test
    void hookValuesAreInertAndKeyedByIdentity() throws CheckpointException {
        List<Handle> made = new ArrayList<>();
        DataOnlyHooks hooks = new DataOnlyHooks() {
            @Override
            public PickleValue persistentLoad(PickleValue pid, long offset) {
                Handle h = new Handle(pid.toString());
                made.add(h);
                return h;
            }
        };
        // {pid('a'): 1, pid('a'): 2, <memo 0, the first one>: 3}
        byte[] data = Pk.of("\u0080\u0002}(",
                "X", Pk.u32(1), "aQq\u0000K\u0001",
                "X", Pk.u32(1), "aQK\u0002",
                "h\u0000K\u0003u.");
        PDict d = (PDict) Pk.load(data, hooks, PickleLimits.DEFAULTS);

        assertEquals(2, made.size());
        assertEquals(made.get(0), made.get(1), "the hook's own equality says equal");
        assertEquals(2, d.size(), "the interpreter keys them by identity");
        assertEquals(PInt.of(3), d.get(made.get(0)));
        assertEquals(PInt.of(2), d.get(made.get(1)));
        List<PickleValue> keys = new ArrayList<>();
        d.entries().forEach(e -> keys.add(e.getKey()));
        assertSame(made.get(0), keys.get(0), "the memo hands back the very value the hook built");
        assertTrue(PickleRepr.repr(d).contains("<handle a>: 3"), PickleRepr.repr(d));
    }
}
