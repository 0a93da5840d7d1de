package org.pthconvert.writers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;

/** A tensor source over a byte array: chunks of a chosen size through one reused direct buffer. */
public final class ArraySource implements TensorSource {
    private final byte[] data;
    private final int chunk;

    public ArraySource(byte[] data) {
        this(data, 4096);
    }

    public ArraySource(byte[] data, int chunk) {
        this.data = data.clone();
        this.chunk = chunk;
    }

    @Override
    public long byteLength() { return data.length; }

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
