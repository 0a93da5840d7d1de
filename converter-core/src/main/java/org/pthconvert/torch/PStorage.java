package org.pthconvert.torch;

import org.pthconvert.pickle.PickleValue.PHookValue;
import org.pthconvert.tensor.StorageRef;

/**
 * A storage named by a persistent id. {@code elementOffset} is non-zero only for a legacy-format
 * storage view, which starts that many elements into its root storage and holds at most
 * {@code elementLimit} of them ({@code -1}: up to the root's end).
 */
public record PStorage(StorageRef ref, long elementOffset, long elementLimit) implements PHookValue {
    public PStorage(StorageRef ref, long elementOffset) {
        this(ref, elementOffset, -1);
    }

    @Override
    public String typeName() { return "storage"; }
}
