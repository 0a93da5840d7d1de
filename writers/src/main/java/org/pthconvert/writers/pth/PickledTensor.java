package org.pthconvert.writers.pth;

import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;

/**
 * One entry of the state dict as {@code data.pkl} describes it.
 *
 * @param name         the state-dict key
 * @param sameAs       index of an earlier entry this one is tied to (the pickle repeats that tensor
 *                     through the memo), or -1
 * @param storage      the record holding its data (null when tied)
 * @param offset       storage offset in elements
 * @param quantization null unless quantized
 * @param scales       per-channel scales record, or null
 * @param zeroPoints   per-channel zero-points record, or null
 */
record PickledTensor(String name, int sameAs, StoredRecord storage, long offset, Shape shape, Shape strides,
                     Quantization quantization, StoredRecord scales, StoredRecord zeroPoints) {

    static PickledTensor tied(String name, int sameAs) {
        return new PickledTensor(name, sameAs, null, 0, null, null, null, null, null);
    }

    boolean isTied() {
        return sameAs >= 0;
    }
}
