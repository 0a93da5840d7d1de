package org.pthconvert.writers;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.tensor.TensorSpec;

/**
 * Where each tensor a session asked for stands in the plan. Found once, in {@code begin}: it is both
 * the check that a session asked only for planned tensors, each once, and the conversion's way from
 * an asked spec back to its source. A checkpoint of 100,000 tensors paid for a map by name for the
 * check and then a map by spec for the way back.
 */
final class PlanPositions {

    private PlanPositions() {
    }

    /**
     * The index in {@code planned} of each spec in {@code asked}: looked up as the same object (what
     * every session here hands back), else by name for a session that hands back equal specs of its
     * own.
     *
     * @param planned the plan's specs, names unique (a {@link WritePlan} refuses repeated ones)
     * @throws IllegalStateException naming a spec that was not planned or is asked for twice
     */
    static int[] of(List<TensorSpec> asked, List<TensorSpec> planned, String writer) {
        Map<TensorSpec, Integer> byIdentity = new IdentityHashMap<>(planned.size());
        for (int i = 0; i < planned.size(); i++) {
            byIdentity.put(planned.get(i), i);
        }
        Map<String, Integer> byName = null;
        boolean[] taken = new boolean[planned.size()];
        int[] positions = new int[asked.size()];
        for (int i = 0; i < asked.size(); i++) {
            TensorSpec s = asked.get(i);
            Integer at = byIdentity.get(s);
            if (at == null) {
                if (byName == null) {
                    byName = byName(planned);
                }
                at = byName.get(s.name());
                if (at != null && !planned.get(at).equals(s)) {
                    at = null;
                }
            }
            if (at == null || taken[at]) {
                throw new IllegalStateException(writer + " session asked for '" + s.name()
                        + "', which is not a planned tensor or was asked for twice");
            }
            taken[at] = true;
            positions[i] = at;
        }
        return positions;
    }

    private static Map<String, Integer> byName(List<TensorSpec> planned) {
        Map<String, Integer> m = new HashMap<>(planned.size() * 4 / 3 + 1);
        for (int i = 0; i < planned.size(); i++) {
            m.put(planned.get(i).name(), i);
        }
        return m;
    }
}
