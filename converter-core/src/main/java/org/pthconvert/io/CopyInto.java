package org.pthconvert.io;

import java.nio.ByteBuffer;

/**
 * Copies each chunk of a {@link TensorSource} into one buffer. A class, not a method reference: no
 * lambda is linked on the start path (README, "Start-up").
 */
final class CopyInto implements TensorSource.ChunkConsumer {
    private final ByteBuffer dst;

    CopyInto(ByteBuffer dst) {
        this.dst = dst;
    }

    @Override
    public void accept(ByteBuffer chunk) {
        dst.put(chunk);
    }
}
