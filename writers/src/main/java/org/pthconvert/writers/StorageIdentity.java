package org.pthconvert.writers;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;

/**
 * Which view of which source storage a planned tensor's bytes are. Two planned tensors with equal
 * identities (and equal dtype and shape) are the same tensor under two names: tied weights.
 *
 * @param storageKey    the source storage's key ("0", or a legacy root key)
 * @param storageOffset the view's first element, in elements of the storage's dtype
 * @param strides       the view's strides, in elements
 * @param storageDtype  the storage's element type
 * @param storageBytes  the whole storage's size in bytes
 */
public record StorageIdentity(String storageKey, long storageOffset, Shape strides, Dtype storageDtype,
                              long storageBytes) {

    // equals and hashCode written out: a record's generated ones bootstrap method handles on first use,
    // a dozen classes spun at the start of every conversion (the class-data archive cannot keep them).
    @Override
    public boolean equals(Object o) {
        return o instanceof StorageIdentity i && i.storageOffset == storageOffset && i.storageBytes == storageBytes
                && i.storageDtype == storageDtype && java.util.Objects.equals(i.storageKey, storageKey)
                && java.util.Objects.equals(i.strides, strides);
    }

    @Override
    public int hashCode() {
        return ((java.util.Objects.hashCode(storageKey) * 31 + Long.hashCode(storageOffset)) * 31
                + java.util.Objects.hashCode(strides)) * 31
                + Long.hashCode(storageBytes);
    }
}
