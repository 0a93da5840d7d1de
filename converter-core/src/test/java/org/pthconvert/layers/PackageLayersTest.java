package org.pthconvert.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.pthconvert.model.Checkpoint;

/**
 * Layering of converter-core's packages, read from the compiled classes' constant pools: the pickle
 * layer knows nothing of tensors or torch, and no two packages depend on each other, directly or
 * through others.
 */
class PackageLayersTest {

    @Test
    void thePickleLayerKnowsNothingOfTensors() throws Exception {
        Map<String, Set<String>> g = ClassRefs.packageGraph(ClassRefs.classesOf(Checkpoint.class));
        assertTrue(g.get("org.pthconvert.model").contains("org.pthconvert.tensor"), "the scan sees references: " + g);
        Set<String> allowed = Set.of("org.pthconvert.pickle", "org.pthconvert.pickle.reader",
                "org.pthconvert.errors", "org.pthconvert.safety");
        for (String pkg : List.of("org.pthconvert.pickle", "org.pthconvert.pickle.reader", "org.pthconvert.safety",
                "org.pthconvert.errors")) {
            Set<String> beyond = new TreeSet<>(g.get(pkg));
            beyond.removeAll(allowed);
            assertEquals(Set.of(), beyond, pkg + " reaches beyond the pickle layer");
        }
        assertTrue(!g.get("org.pthconvert.pickle").contains("org.pthconvert.pickle.reader"),
                "the values do not depend on the interpreter");
    }

    @Test
    void noPackageCycles() throws Exception {
        Map<String, Set<String>> g = ClassRefs.packageGraph(ClassRefs.classesOf(Checkpoint.class));
        assertEquals(List.of(), cycles(g));
    }

    /** Strongly connected components of more than one package (Tarjan, iterative). */
    static List<Set<String>> cycles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String start : g.keySet()) {
            if (index.containsKey(start)) {
                continue;
            }
            Deque<Object[]> work = new ArrayDeque<>();
            work.push(new Object[] {start, new ArrayList<>(g.getOrDefault(start, Set.of())).iterator()});
            index.put(start, next[0]);
            low.put(start, next[0]++);
            stack.push(start);
            onStack.add(start);
            while (!work.isEmpty()) {
                Object[] frame = work.peek();
                String v = (String) frame[0];
                @SuppressWarnings("unchecked")
                java.util.Iterator<String> it = (java.util.Iterator<String>) frame[1];
                if (it.hasNext()) {
                    String w = it.next();
                    if (!index.containsKey(w)) {
                        index.put(w, next[0]);
                        low.put(w, next[0]++);
                        stack.push(w);
                        onStack.add(w);
                        work.push(new Object[] {w, new ArrayList<>(g.getOrDefault(w, Set.of())).iterator()});
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = (String) work.peek()[0];
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    Set<String> comp = new TreeSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        comp.add(w);
                    } while (!w.equals(v));
                    if (comp.size() > 1) {
                        out.add(comp);
                    }
                }
            }
        }
        return out;
    }
}
