package org.pthconvert.writers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.OptionalLong;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;

/**
 * A source that tells a progress callback how many of its bytes a writer has taken, so progress
 * counts what the conversion hands over, whatever the writer then stores (widened, cast, deflated).
 */
record CountingSource(TensorSource inner, Progress progress) implements TensorSource {

    @Override
    public long byteLength() {
        return inner.byteLength();
    }

    @Override
    public OptionalLong declaredCrc32() {
        return inner.declaredCrc32();
    }

    @Override
    public void transferTo(FileChannel out) throws IOException, CheckpointException {
        inner.transferTo(out);
        progress.advance(inner.byteLength());
    }

    @Override
    public void readFully(ByteBuffer dst) throws IOException, CheckpointException {
        inner.readFully(dst);
        progress.advance(inner.byteLength());
    }

    @Override
    public void forEachChunk(ChunkConsumer consumer) throws IOException, CheckpointException {
        inner.forEachChunk(chunk -> {
            int n = chunk.remaining();
            consumer.accept(chunk);
            progress.advance(n);
        });
    }
}
