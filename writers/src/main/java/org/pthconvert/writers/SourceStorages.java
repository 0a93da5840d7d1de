package org.pthconvert.writers;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.io.TensorSource;

/**
 * The whole source storages behind a plan's views, for a writer that keeps the source's storages as
 * they are (pth's {@code --keep-storages}) instead of writing each tensor compactly. A session asks
 * during {@code begin}, so that the bytes count in the conversion's progress total, and streams them
 * while writing; nothing is read until then.
 */
public interface SourceStorages {

    /** For plans that are not made from a checkpoint (tests, generated tensors): asking fails. */
    SourceStorages NONE = (origin, elementType) -> {
        throw new IllegalArgumentException("no source storages: this plan was not made from a checkpoint");
    };

    /**
     * Every byte of the storage that {@code origin} views, in order: {@code origin.storageBytes()} of
     * them, little-endian in elements of {@code elementType} (a big-endian source is swapped element
     * by element).
     *
     * @param elementType the storage's own type, or for an untyped storage the type of its tensors
     * @throws IllegalArgumentException when {@code origin} is not the storage of a planned tensor,
     *                                  {@code elementType} does not fit it, or {@code begin} is over
     */
    TensorSource whole(StorageIdentity origin, Dtype elementType);
}
