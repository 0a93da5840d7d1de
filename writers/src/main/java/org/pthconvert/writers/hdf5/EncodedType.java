package org.pthconvert.writers.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.jhdf.object.datatype.DataType;
import io.jhdf.storage.HdfBackingStorage;

/**
 * An HDF5 datatype whose message bytes we encode ourselves, handed to jhdf's
 * {@code DataTypeMessage} and {@code AttributeMessage}. jhdf 0.13 writes only byte..long,
 * float, double and fixed-length strings; float16, enums, compounds and variable-length strings
 * come from here. Used for writing only: jhdf never reads data through it.
 */
final class EncodedType extends DataType {

    private final byte[] message;

    /** @param message the whole datatype message: class and version, class bits, size, properties */
    EncodedType(byte[] message) {
        super(message[0] & 0x0F, ByteBuffer.wrap(message, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        this.message = message.clone();
    }

    @Override
    public ByteBuffer toBuffer() {
        return ByteBuffer.wrap(message.clone()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** An attribute's value, already encoded: jhdf's AttributeMessage asks its type to encode it. */
    @Override
    public ByteBuffer encodeData(Object data) {
        return ByteBuffer.wrap(((byte[]) data).clone()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public Class<?> getJavaType() {
        return byte[].class;
    }

    @Override
    public Object fillData(ByteBuffer buffer, int[] dimensions, HdfBackingStorage storage) {
        throw new UnsupportedOperationException("written, never read, through this type");
    }
}
