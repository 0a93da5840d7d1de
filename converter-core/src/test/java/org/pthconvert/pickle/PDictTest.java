package org.pthconvert.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;

/** A dict keeps Python's semantics: keys equal in Python are one key, the first one put stays, order is kept. */
class PDictTest {
    private static List<String> listing(PDict d) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
            out.add(e.getKey().typeName() + ":" + e.getKey() + "=" + e.getValue());
        }
        return out;
    }

    @Test
    void equalKeysAreOneKeyAndTheFirstStays() {
        PDict d = new PDict(false);
        PStr a = new PStr("a");
        d.put(a, new PStr("x"));
        d.put(PInt.of(1), new PStr("one"));
        d.put(new PStr("1"), new PStr("str one"));
        d.put(PBool.of(true), new PStr("true"));     // True == 1: replaces the value, key 1 stays
        d.put(new PFloat(1.0), new PStr("float"));   // 1.0 == 1 too
        d.put(new PStr("a"), new PStr("y"));         // an equal str: value replaced in place
        d.put(new PTuple(List.of(PInt.of(1), new PStr("b"))), new PStr("tuple"));
        assertEquals(List.of("str:a=y", "int:1=float", "str:1=str one", "tuple:tuple[2]=tuple"), listing(d));
        assertEquals(4, d.size());
        assertSame(a, d.entries().iterator().next().getKey());
        assertEquals("float", d.get(PBool.of(true)).toString());
        assertEquals("str one", d.get("1").toString());
        assertEquals("y", d.get("a").toString());
        assertEquals("tuple", d.get(new PTuple(List.of(new PFloat(1.0), new PStr("b")))).toString());
        assertNull(d.get("b"));
        assertNull(d.get(PInt.of(2)));
        assertNull(new PDict(true).get("a"));
    }
}
