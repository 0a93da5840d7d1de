package org.pthconvert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.junit.jupiter.api.Test;

class TensorSourceTest {

    /** Declares {@code declared} bytes and gives {@code given} (1, 2, 3, ...), in chunks of two. */
    private record Fixed(long declared, int given) implements TensorSource {
        @Override
        public long byteLength() { return declared; }

        @Override
        public void transferTo(FileChannel out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void forEachChunk(ChunkConsumer consumer) throws java.io.IOException,
                org.pthconvert.errors.CheckpointException {
            for (int i = 0; i < given; i += 2) {
                ByteBuffer b = ByteBuffer.allocate(Math.min(2, given - i));
                for (int k = 0; b.hasRemaining(); k++) {
                    b.put((byte) (i + k + 1));
                }
                consumer.accept(b.flip());
            }
        }
    }

    @Test
    void readFullyPutsTheBytesAtThePosition() throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(8).put((byte) 9);
        new Fixed(4, 4).readFully(dst);
        assertEquals(5, dst.position());
        assertArrayEquals(new byte[] {9, 1, 2, 3, 4, 0, 0, 0}, dst.array());
    }

    @Test
    void readFullyNeverWritesPastTheDeclaredBytes() {
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertThrows(BufferOverflowException.class, () -> new Fixed(4, 6).readFully(dst));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 0, 0, 0, 0}, dst.array());
    }

    @Test
    void readFullyRefusesABufferWithTooLittleRoom() {
        ByteBuffer dst = ByteBuffer.allocate(8).position(6);
        assertThrows(BufferOverflowException.class, () -> new Fixed(4, 4).readFully(dst));
        assertEquals(6, dst.position());
    }

    @Test
    void aShortSourceMovesThePositionByWhatItGave() throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(8);
        new Fixed(4, 3).readFully(dst);
        assertEquals(3, dst.position());
    }
}
