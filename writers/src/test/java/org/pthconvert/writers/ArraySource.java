package org.pthconvert.writers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.OptionalLong;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;

/**
 * A tensor source over a byte array: chunks of a chosen size through one reused direct buffer, and
 * optionally a CRC-32 it declares (as a source's zip directory would).
 */
public final class ArraySource implements TensorSource {
    private final byte[] data;
    private final int chunk;
    private final OptionalLong declaredCrc32;

    public ArraySource(byte[] data) {
        this(data, 4096);
    }

    public ArraySource(byte[] data, int chunk) {
        this(data, chunk, OptionalLong.empty());
    }

    public ArraySource(byte[] data, int chunk, OptionalLong declaredCrc32) {
        this.data = data.clone();
        this.chunk = chunk;
        this.declaredCrc32 = declaredCrc32;
    }

    @Override
    public long byteLength() { return data.length; }

    @Override
    public OptionalLong declaredCrc32() { return declaredCrc32; }

    @Override
    public void transferTo(FileChannel out) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    @Override
    public void forEachChunk(ChunkConsumer consumer) throws IOException, CheckpointException {
        ByteBuffer reused = ByteBuffer.allocateDirect(chunk);
        for (int off = 0; off < data.length; off += chunk) {
            reused.clear();
            reused.put(data, off, Math.min(chunk, data.length - off)).flip();
            consumer.accept(reused);
        }
    }
}
