package org.pthconvert.writers.npz;

import org.pthconvert.tensor.Shape;
import org.pthconvert.writers.Digits;

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
    private static final String MAGIC = "NUMPY";

    private NpyHeader() {
    }

    static byte[] encode(String descr, Shape shape) {
        // Built in a builder and copied once into the prefix (once per tensor: no intermediate
        // string, encoding or buffer).
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
            for (int i = Digits.count(shape.dim(0)); i < GROWTH_AXIS_MAX_DIGITS; i++) {
                h.append(' ');
            }
        }
        byte[] v1 = wrap(h, 1);
        return v1 != null ? v1 : wrap(h, 2);
    }

    /** The prefix in this version, or null when its length field is too small. */
    private static byte[] wrap(CharSequence text, int major) {
        int lengthBytes = major == 1 ? 2 : 4;
        int hlen = text.length() + 1;                                   // with the final '\n'
        int pad = ALIGN - (6 + 2 + lengthBytes + hlen) % ALIGN;         // 1..64, as NumPy
        long declared = (long) hlen + pad;
        if (major == 1 && declared > 0xFFFF) {
            return null;
        }
        byte[] out = new byte[Math.toIntExact(6 + 2 + lengthBytes + declared)];
        int p = 0;
        out[p++] = (byte) 0x93;
        for (int i = 0; i < MAGIC.length(); i++) {
            out[p++] = (byte) MAGIC.charAt(i);
        }
        out[p++] = (byte) major;
        out[p++] = 0;
        for (int i = 0; i < lengthBytes; i++) {
            out[p++] = (byte) (declared >>> (8 * i));   // little-endian
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out[p++] = c <= 0xff ? (byte) c : (byte) '?';   // ISO-8859-1, as NumPy's latin1 header
        }
        while (p < out.length - 1) {
            out[p++] = ' ';
        }
        out[p] = '\n';
        return out;
    }
}
