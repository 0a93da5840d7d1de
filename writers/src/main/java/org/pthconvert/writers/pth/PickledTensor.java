package org.pthconvert.writers.pth;

import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;

/**
 * One entry of the state dict as {@code data.pkl} describes it.
 *
 * @param name         the state-dict key
 * @param storage      the record holding its data; tied entries name the same record, as
 *                     {@code state_dict()} gives tied weights as separate tensors on one storage
 * @param offset       storage offset in elements
 * @param quantization null unless quantized
 * @param scales       per-channel scales record, or null
 * @param zeroPoints   per-channel zero-points record, or null
 */
record PickledTensor(String name, StoredRecord storage, long offset, Shape shape, Shape strides,
                     Quantization quantization, StoredRecord scales, StoredRecord zeroPoints) {}
