package org.pthconvert.dtype;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;

/** A tensor source over a byte array, handing out chunks of a chosen size through one reused buffer. */
public final class BytesSource implements TensorSource {
    private final byte[] data;
    private final int chunk;

    public BytesSource(byte[] data, int chunk) {
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
            // Scribble over the buffer to catch consumers that keep a reference.
            reused.clear();
            while (reused.hasRemaining()) {
                reused.put((byte) 0x5A);
            }
        }
    }
}
