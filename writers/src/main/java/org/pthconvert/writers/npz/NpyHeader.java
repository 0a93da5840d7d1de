package org.pthconvert.writers.npz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.pthconvert.tensor.Shape;

/**
 * The .npy prefix exactly as NumPy's {@code format._write_array_header} writes it (NumPy 2.4):
 * magic {@code \x93NUMPY}, version, header length, then
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}, then spaces: first
 * {@code 21 - len(str(shape[0]))} of them (room to grow the first axis in place; none for a
 * scalar), then 1 to 64 more so that the prefix ends in {@code \n} on a multiple of 64. Version
 * 1.0 (u16 length) unless the header needs more than 65535 bytes, then 2.0 (u32).
 */
final class NpyHeader {

    static final int ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private NpyHeader() {
    }

    static byte[] encode(String descr, Shape shape) {
        StringBuilder h = new StringBuilder(128);
        h.append("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.rank(); i++) {
            if (i > 0) {
                h.append(", ");
            }
            h.append(shape.dim(i));
        }
        h.append(shape.rank() == 1 ? ",), }" : "), }");
        if (shape.rank() > 0) {
            h.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape.dim(0)).length())));
        }
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] v1 = wrap(text, 1);
        return v1 != null ? v1 : wrap(text, 2);
    }

    /** The prefix in this version, or null when its length field is too small. */
    private static byte[] wrap(byte[] text, int major) {
        int lengthBytes = major == 1 ? 2 : 4;
        int hlen = text.length + 1;                                     // with the final '\n'
        int pad = ALIGN - (6 + 2 + lengthBytes + hlen) % ALIGN;         // 1..64, as NumPy
        long declared = (long) hlen + pad;
        if (major == 1 && declared > 0xFFFF) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(6 + 2 + lengthBytes + declared)).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) declared);
        } else {
            b.putInt((int) declared);
        }
        b.put(text);
        while (b.remaining() > 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }
}
