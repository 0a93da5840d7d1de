package org.pthconvert.tensor;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Storages by key, as a pickle names them. A checkpoint of 100,000 tensors names 100,000 storages
 * {@code "0"} to {@code "99999"}: those sit in an array by number (4 bytes each, where a hash map
 * holds a 32-byte node and grows by rehashing); other keys (legacy root keys, numbers far beyond the
 * count) in a map. Iterates numbered keys in numeric order, then the others in the order put. No
 * null keys or values; no removal.
 */
public final class StorageTable extends AbstractMap<String, StorageRef> {
    /** How far beyond twice the numbered keys held a new number may reach and still be held by number. */
    private static final int SLACK = 1024;

    private StorageRef[] numbered = new StorageRef[16];
    private int numberedCount;
    private final Map<String, StorageRef> others = new LinkedHashMap<>();

    @Override
    public StorageRef get(Object key) {
        if (!(key instanceof String s)) {
            return null;
        }
        int k = StorageKeys.decimalKey(s, 0);
        if (k >= 0 && k < numbered.length && numbered[k] != null) {
            return numbered[k];
        }
        return others.get(s);
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public StorageRef put(String key, StorageRef value) {
        requireNonNull(key, value);
        int k = StorageKeys.decimalKey(key, 0);
        if (heldByNumber(k, key, value)) {
            StorageRef old = numbered[k];
            numbered[k] = value;
            if (old == null) {
                numberedCount++;
            }
            return old;
        }
        return others.put(key, value);
    }

    /** As {@link Map#putIfAbsent}, reading a numbered key once (the rebuild of every tensor calls it). */
    @Override
    public StorageRef putIfAbsent(String key, StorageRef value) {
        requireNonNull(key, value);
        int k = StorageKeys.decimalKey(key, 0);
        if (k >= 0 && k < numbered.length && numbered[k] != null) {
            return numbered[k];
        }
        if (heldByNumber(k, key, value)) {
            numbered[k] = value;
            numberedCount++;
            return null;
        }
        return others.putIfAbsent(key, value);
    }

    private static void requireNonNull(String key, StorageRef value) {
        if (key == null || value == null) {
            throw new NullPointerException("storage tables hold no null keys or values");
        }
    }

    /**
     * Whether {@code key}, read as number {@code k} (negative: not a number), goes in the array. A
     * numbered entry's key is its storage's own (iterating makes entries from it), and a key the map
     * already holds stays there.
     */
    private boolean heldByNumber(int k, String key, StorageRef value) {
        return k >= 0 && key.equals(value.key()) && (others.isEmpty() || !others.containsKey(key)) && fits(k);
    }

    /** Whether number {@code k} goes in the array, grown if need be, rather than in the map. */
    private boolean fits(int k) {
        if (k < numbered.length) {
            return true;
        }
        // Grows only while it stays proportional to what it holds: one hostile key 2^31-1 is a map entry.
        long wanted = Math.max((long) k + 1, (long) numbered.length * 2);
        if (k >= 2L * numberedCount + SLACK || wanted > Integer.MAX_VALUE - 16) {
            return false;
        }
        numbered = Arrays.copyOf(numbered, (int) Math.min(wanted, 2L * numberedCount + SLACK));
        return k < numbered.length;
    }

    @Override
    public int size() {
        return numberedCount + others.size();
    }

    /** The storages, without an entry made for each (a conversion goes through them several times). */
    @Override
    public Collection<StorageRef> values() {
        return new AbstractCollection<>() {
            @Override
            public int size() {
                return StorageTable.this.size();
            }

            @Override
            public Iterator<StorageRef> iterator() {
                return new Cursor<>() {
                    private final Iterator<StorageRef> rest = others.values().iterator();

                    @Override
                    StorageRef make(StorageRef r) {
                        return r;
                    }

                    @Override
                    Iterator<StorageRef> rest() {
                        return rest;
                    }
                };
            }
        };
    }

    @Override
    public Set<Map.Entry<String, StorageRef>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return StorageTable.this.size();
            }

            @Override
            public Iterator<Map.Entry<String, StorageRef>> iterator() {
                return new Cursor<>() {
                    private final Iterator<Map.Entry<String, StorageRef>> rest = others.entrySet().iterator();

                    @Override
                    Map.Entry<String, StorageRef> make(StorageRef r) {
                        return Map.entry(r.key(), r); // a numbered storage's key is its own
                    }

                    @Override
                    Iterator<Map.Entry<String, StorageRef>> rest() {
                        return rest;
                    }
                };
            }
        };
    }

    /** Numbered storages in numeric order, then the others. */
    private abstract class Cursor<T> implements Iterator<T> {
        private int next = from(0);

        abstract T make(StorageRef r);

        abstract Iterator<T> rest();

        private int from(int i) {
            int j = i;
            while (j < numbered.length && numbered[j] == null) {
                j++;
            }
            return j;
        }

        @Override
        public boolean hasNext() {
            return next < numbered.length || rest().hasNext();
        }

        @Override
        public T next() {
            if (next < numbered.length) {
                StorageRef r = numbered[next];
                next = from(next + 1);
                return make(r);
            }
            if (!rest().hasNext()) {
                throw new NoSuchElementException();
            }
            return rest().next();
        }
    }
}
