package org.pthconvert.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void elementCountIsTheProduct() {
        assertEquals(1, Shape.SCALAR.numel());
        assertEquals(24, Shape.of(2, 3, 4).numel());
        assertEquals(0, Shape.of(5, 0, Long.MAX_VALUE).numel());
    }

    @Test
    void anOverflowingShapeCanBeMadeButNotCounted() {
        Shape huge = Shape.of(Long.MAX_VALUE, 2);
        assertEquals(2, huge.rank());
        assertThrows(ArithmeticException.class, huge::numel);
        assertThrows(ArithmeticException.class, huge::numel);
    }

    @Test
    void dimensionsAreCopiedInAndCompared() {
        long[] d = {3, 4};
        Shape s = Shape.of(d);
        d[0] = 9;
        assertEquals(12, s.numel());
        assertTrue(s.hasDims(new long[] {3, 4}));
        assertFalse(s.hasDims(new long[] {3, 4, 1}));
        assertEquals(Shape.of(3, 4), s);
    }
}
