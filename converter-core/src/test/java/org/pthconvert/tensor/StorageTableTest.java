package org.pthconvert.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pthconvert.dtype.Dtype;

class StorageTableTest {
    private static StorageRef ref(String key) {
        return new StorageRef(key, Dtype.F32, 64, "cpu");
    }

    @Test
    void behavesAsAMapOfAnyKeys() {
        StorageTable t = new StorageTable();
        Map<String, StorageRef> expected = new HashMap<>();
        // numbered keys, non-canonical numbers, legacy root keys, and a hostile number far beyond the rest
        for (String k : List.of("2", "0", "1", "01", "-1", "94363651379616", "2147483647", "x", "", "100000")) {
            StorageRef r = ref(k);
            assertNull(t.putIfAbsent(k, r), k);
            expected.put(k, r);
        }
        assertEquals(expected.size(), t.size());
        assertEquals(expected, t);
        assertEquals(expected, new HashMap<>(t));
        for (Map.Entry<String, StorageRef> e : expected.entrySet()) {
            assertSame(e.getValue(), t.get(e.getKey()), e.getKey());
            assertTrue(t.containsKey(e.getKey()));
        }
        assertNull(t.get("3"));
        assertNull(t.get(3));
        StorageRef again = ref("1");
        assertSame(expected.get("1"), t.putIfAbsent("1", again));
        assertSame(expected.get("1"), t.put("1", again));
        assertSame(again, t.get("1"));
        assertEquals(expected.size(), t.size());
    }

    @Test
    void listsNumberedKeysInOrderThenTheOthersAsPut() {
        StorageTable t = new StorageTable();
        for (String k : List.of("b", "3", "a", "0", "2147483647", "20")) {
            t.put(k, ref(k));
        }
        List<String> keys = new ArrayList<>();
        for (StorageRef r : t.values()) {
            keys.add(r.key());
        }
        assertEquals(List.of("0", "3", "20", "b", "a", "2147483647"), keys);
        assertEquals(keys, new ArrayList<>(t.keySet()));
    }

    @Test
    void aStorageFiledUnderAnotherKeyKeepsThatKey() {
        StorageTable t = new StorageTable();
        StorageRef r = ref("7");
        t.put("5", r);
        assertSame(r, t.get("5"));
        assertNull(t.get("7"));
        assertEquals(List.of("5"), new ArrayList<>(t.keySet()));
    }

    @Test
    void holdsManyNumberedStoragesAndRefusesNulls() {
        StorageTable t = new StorageTable();
        for (int i = 0; i < 100_000; i++) {
            t.put(Integer.toString(i), ref(Integer.toString(i)));
        }
        assertEquals(100_000, t.size());
        assertEquals("99999", t.get("99999").key());
        assertThrows(NullPointerException.class, () -> t.put(null, ref("0")));
        assertThrows(NullPointerException.class, () -> t.put("0", null));
    }
}
