package org.pthconvert.writers;

import org.pthconvert.dtype.Dtype;

/**
 * A tensor a writer stored in another dtype because the format lacks its own.
 *
 * @param tensor the tensor's name
 * @param from   its dtype in the checkpoint
 * @param to     the dtype stored
 * @param how    whether the values were kept ({@code WIDENED}) or only the bit patterns
 */
public record TypeChange(String tensor, Dtype from, Dtype to, How how) {

    public enum How {
        /** Every value converted exactly to a wider type (NaN, ±Inf, -0 and subnormals included). */
        WIDENED,
        /** The bit patterns stored as unsigned integers of the same width. */
        RAW_BITS
    }
}
