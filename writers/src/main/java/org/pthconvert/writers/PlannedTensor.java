package org.pthconvert.writers;

import org.pthconvert.tensor.TensorSpec;

/**
 * One tensor a session will be asked to write.
 *
 * @param spec   name, dtype, shape as written
 * @param origin the source view its bytes are, or null when the conversion made new bytes (a cast)
 */
public record PlannedTensor(TensorSpec spec, StorageIdentity origin) {

    /** Same bytes as {@code other} by construction: same source view, dtype and shape. */
    public boolean tiedTo(PlannedTensor other) {
        return origin != null && origin.equals(other.origin) && spec.dtype() == other.spec.dtype()
                && spec.shape().equals(other.spec.shape());
    }
}
