package org.pthconvert.writers.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

/**
 * The few length-delimited field headers pthconvert frames by hand. Generated protobuf classes
 * serialise a whole message from memory; they cannot leave a hole for a {@code raw_data} of
 * gigabytes that is copied file to file later. So the model, graph and each tensor's other fields
 * are serialised by the generated classes, and only the headers around them (field tag and
 * length, whose values are known from the specs before any data) are written here, with
 * protobuf's own varint encoder.
 */
final class Framing {

    /** ModelProto.graph */
    static final int MODEL_GRAPH = 7;
    /** GraphProto.initializer */
    static final int GRAPH_INITIALIZER = 5;
    /** TensorProto.raw_data */
    static final int TENSOR_RAW_DATA = 9;

    /** Protobuf messages must stay below 2 GiB. */
    static final long MAX_MESSAGE = Integer.MAX_VALUE;

    private Framing() {
    }

    /** Bytes of a length-delimited field {@code field} holding {@code length} bytes, header included. */
    static long fieldSize(int field, long length) {
        return Math.addExact(headerSize(field, length), length);
    }

    static int headerSize(int field, long length) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(length);
    }

    /** The tag and length of a length-delimited field whose {@code length} bytes follow. */
    static byte[] header(int field, long length) {
        byte[] out = new byte[headerSize(field, length)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            c.writeUInt64NoTag(length);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("field header did not fit its computed size", e);
        }
        return out;
    }

    /** Writes all of {@code bytes} at the channel's position. */
    static void writeFully(FileChannel out, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            out.write(b);
        }
    }
}
