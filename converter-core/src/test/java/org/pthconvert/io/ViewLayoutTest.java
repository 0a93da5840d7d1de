package org.pthconvert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

class ViewLayoutTest {

    private static ViewLayout layout(long offset, long[] shape, long[] strides) {
        StorageRef s = new StorageRef("0", Dtype.F32, 1 << 20, "cpu");
        return ViewLayout.of(new TensorView(s, Dtype.F32, offset, Shape.of(shape), Shape.of(strides), null));
    }

    private static void check(ViewLayout l, long offset, long[] dims, long[] strides, long numel) {
        assertEquals(offset, l.offset());
        assertArrayEquals(dims, l.dims());
        assertArrayEquals(strides, l.strides());
        assertEquals(numel, l.numel());
    }

    @Test
    void contiguousViewsBecomeOneRun() {
        check(layout(0, new long[] {16}, new long[] {1}), 0, new long[] {16}, new long[] {1}, 16);
        check(layout(5, new long[] {2, 1, 8}, new long[] {8, 99, 1}), 5, new long[] {16}, new long[] {1}, 16);
        check(layout(3, new long[] {4, 3, 2}, new long[] {6, 2, 1}), 3, new long[] {24}, new long[] {1}, 24);
    }

    @Test
    void otherViewsKeepTheirMergedDimensions() {
        check(layout(0, new long[] {3, 4}, new long[] {1, 3}), 0, new long[] {3, 4}, new long[] {1, 3}, 12);
        check(layout(0, new long[] {2, 3}, new long[] {10, 1}), 0, new long[] {2, 3}, new long[] {10, 1}, 6);
        check(layout(0, new long[] {4, 3}, new long[] {0, 1}), 0, new long[] {4, 3}, new long[] {0, 1}, 12);
        check(layout(7, new long[] {1, 1}, new long[] {5, 5}), 7, new long[0], new long[0], 1);
        check(layout(0, new long[] {0, 4}, new long[] {4, 1}), 0, new long[0], new long[0], 0);
    }
}
