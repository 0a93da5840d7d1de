package org.pthconvert.io;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.pthconvert.errors.CheckpointException;

/** A storage over a byte array, counting reads, for gather tests. */
class ArrayStorage implements StorageBytes {
    final byte[] data;
    int reads;
    long bytesRead;

    ArrayStorage(byte[] data) {
        this.data = data;
    }

    @Override
    public long size() { return data.length; }

    @Override
    public void read(long position, ByteBuffer dst) throws CheckpointException {
        if (position < 0 || position + dst.remaining() > data.length) {
            throw CheckpointException.at(CheckpointException.Reason.INVALID, null, "test", position,
                    "read past end: " + position + "+" + dst.remaining() + " > " + data.length);
        }
        reads++;
        bytesRead += dst.remaining();
        dst.put(data, (int) position, dst.remaining());
    }

    @Override
    public void transferTo(long position, long count, FileChannel out) throws java.io.IOException, CheckpointException {
        ByteBuffer b = ByteBuffer.allocate((int) count);
        read(position, b);
        b.flip();
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    @Override
    public boolean inPlace() { return false; }
}
