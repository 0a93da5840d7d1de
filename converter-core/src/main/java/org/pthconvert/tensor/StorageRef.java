package org.pthconvert.tensor;

import org.pthconvert.dtype.Dtype;

/**
 * One storage a pickle names through a persistent id: record {@code data/<key>} in a zip, or a
 * root key in a legacy file. Several tensors may share one.
 *
 * @param key       the storage key ("0", "1", ... or a legacy root key)
 * @param dtype     element type of a typed storage; {@link Dtype#U8} for {@code UntypedStorage}
 * @param byteSize  size the pickle declares, in bytes (checked against the record)
 * @param location  device string as saved ("cpu", "cuda:0", "meta", ...)
 */
public record StorageRef(String key, Dtype dtype, long byteSize, String location) {
}
