package org.pthconvert.writers.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.DataLayoutMessage;

/**
 * The object reference count message (type 22), which a version-2 object header must carry when
 * more than one hard link leads to it; jhdf 0.13 reads it but cannot write it. jhdf's
 * {@code Message} has a package-private constructor, and {@code DataLayoutMessage} is the one
 * public subclass with a public one, so this extends it and answers as type 22.
 */
final class RefCountMessage extends DataLayoutMessage {

    static final int TYPE = 22;

    private final int count;

    RefCountMessage(int count) {
        super(new BitSet(1));
        this.count = count;
    }

    @Override
    public int getMessageType() {
        return TYPE;
    }

    @Override
    public DataLayout getDataLayout() {
        throw new UnsupportedOperationException("a reference count message has no layout");
    }

    @Override
    public ByteBuffer toBuffer() {
        return ByteBuffer.wrap(new Hdf5Types.Bytes().u8(0).u32(count).toArray()).order(ByteOrder.LITTLE_ENDIAN);
    }
}
