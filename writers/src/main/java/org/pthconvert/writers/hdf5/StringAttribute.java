package org.pthconvert.writers.hdf5;

import java.nio.ByteBuffer;

import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.message.DataSpace;

/**
 * A scalar variable-length UTF-8 string attribute (what h5py writes for a {@code str} and reads
 * back as one), given to jhdf's {@code AttributeMessage.create}, which asks only for the name,
 * dataspace, datatype and data. The data is the 16-byte heap id of the value.
 */
final class StringAttribute implements Attribute {

    private static final DataType VLEN_UTF8 = new EncodedType(Hdf5Types.vlenUtf8());
    private static final DataSpace SCALAR = DataSpace.fromObject("scalar");

    private final String name;
    private final byte[] heapId;

    StringAttribute(String name, byte[] heapId) {
        this.name = name;
        this.heapId = heapId.clone();
    }

    @Override public Node getNode() { return null; }

    @Override public String getName() { return name; }

    @Override public long getSize() { return 1; }

    @Override public long getSizeInBytes() { return heapId.length; }

    @Override public int[] getDimensions() { return new int[0]; }

    @Override public long[] getDimensionsAsLong() { return new long[0]; }

    @Override public Object getData() { return heapId.clone(); }

    @Override public Class<?> getJavaType() { return String.class; }

    @Override public boolean isScalar() { return true; }

    @Override public boolean isEmpty() { return false; }

    @Override public ByteBuffer getBuffer() { return ByteBuffer.wrap(heapId.clone()); }

    @Override public DataSpace getDataSpace() { return SCALAR; }

    @Override public DataType getDataType() { return VLEN_UTF8; }
}
