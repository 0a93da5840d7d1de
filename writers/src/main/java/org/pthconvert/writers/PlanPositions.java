package org.pthconvert.writers;

import java.util.HashMap;
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
     * {@link #of}, or null when {@code asked} is the plan's own specs in the plan's order (npz, pth
     * and the other sessions that write in plan order): those need neither a check nor a map.
     */
    static int[] find(List<TensorSpec> asked, List<TensorSpec> planned, String writer) {
        return CallOrder.samePlanOrder(asked, planned) ? null : of(asked, planned, writer);
    }

    /**
     * The index in {@code planned} of each spec in {@code asked}, found by name: the names' hashes are
     * already computed (the plan checked them for repeats), where an identity map would compute each
     * spec's identity hash, and a name found must name an equal spec (every session here hands back
     * the plan's own objects).
     *
     * @param planned the plan's specs, names unique (a {@link WritePlan} refuses repeated ones)
     * @throws IllegalStateException naming a spec that was not planned or is asked for twice
     */
    static int[] of(List<TensorSpec> asked, List<TensorSpec> planned, String writer) {
        Map<String, Integer> byName = new HashMap<>(planned.size() * 4 / 3 + 1);
        for (int i = 0; i < planned.size(); i++) {
            byName.put(planned.get(i).name(), i);
        }
        boolean[] taken = new boolean[planned.size()];
        int[] positions = new int[asked.size()];
        for (int i = 0; i < asked.size(); i++) {
            TensorSpec s = asked.get(i);
            Integer at = byName.get(s.name());
            if (at == null || taken[at] || !planned.get(at).equals(s)) {
                throw new IllegalStateException(writer + " session asked for '" + s.name()
                        + "', which is not a planned tensor or was asked for twice");
            }
            taken[at] = true;
            positions[i] = at;
        }
        return positions;
    }
}
