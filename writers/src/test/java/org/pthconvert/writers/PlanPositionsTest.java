package org.pthconvert.writers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;

class PlanPositionsTest {

    private final TensorSpec a = new TensorSpec("a", Dtype.F32, Shape.of(2));
    private final TensorSpec b = new TensorSpec("b", Dtype.F16, Shape.of(3));
    private final TensorSpec c = new TensorSpec("c", Dtype.I64, Shape.of(1, 4));
    private final List<TensorSpec> plan = List.of(a, b, c);

    @Test
    void findsThePlanIndexOfEachAskedSpec() {
        assertArrayEquals(new int[] {2, 0, 1}, PlanPositions.of(List.of(c, a, b), plan, "w"));
    }

    @Test
    void aSessionMayLeaveTensorsOut() {
        // A tied weight stored once is asked for once.
        assertArrayEquals(new int[] {1}, PlanPositions.of(List.of(b), plan, "w"));
    }

    @Test
    void equalSpecsOfTheSessionsOwnAreFoundByName() {
        TensorSpec copyOfC = new TensorSpec("c", Dtype.I64, Shape.of(1, 4));
        assertArrayEquals(new int[] {2, 0}, PlanPositions.of(List.of(copyOfC, a), plan, "w"));
    }

    @Test
    void refusesASpecThatWasNotPlanned() {
        TensorSpec otherShape = new TensorSpec("c", Dtype.I64, Shape.of(4));
        TensorSpec otherName = new TensorSpec("d", Dtype.F32, Shape.of(2));
        for (TensorSpec s : List.of(otherShape, otherName)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> PlanPositions.of(List.of(a, s), plan, "w"));
            assertTrue(e.getMessage().contains("asked for '" + s.name() + "'"), e.getMessage());
        }
    }

    @Test
    void refusesASpecAskedForTwice() {
        TensorSpec copyOfA = new TensorSpec("a", Dtype.F32, Shape.of(2));
        assertThrows(IllegalStateException.class, () -> PlanPositions.of(List.of(a, b, a), plan, "w"));
        assertThrows(IllegalStateException.class, () -> PlanPositions.of(List.of(copyOfA, a), plan, "w"));
    }
}
