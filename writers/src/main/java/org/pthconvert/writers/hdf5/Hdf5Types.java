package org.pthconvert.writers.hdf5;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.writers.TypeChange;

/**
 * How each torch dtype is stored in HDF5, and the datatype message that says so (HDF5 file format
 * spec, section IV.A.2.d), spelled the way h5py writes NumPy's types: IEEE floats (float16
 * included), two's-complement and unsigned integers, bool as an enum of int8 with FALSE=0, TRUE=1,
 * complex as a compound of {@code r} and {@code i}. bfloat16 and float8 have no type h5py reads:
 * they are widened exactly to float32, or kept as their bit patterns in unsigned integers.
 */
final class Hdf5Types {

    private static final int CLASS_FIXED = 0;
    private static final int CLASS_FLOAT = 1;
    private static final int CLASS_COMPOUND = 6;
    private static final int CLASS_ENUM = 8;
    private static final int CLASS_VLEN = 9;

    private Hdf5Types() {
    }

    /**
     * What a tensor of dtype {@code d} is stored as.
     *
     * @param dtype  the dtype of the stored elements
     * @param change null when stored in its own dtype
     */
    record Stored(Dtype dtype, TypeChange.How change) {
    }

    /** The stored form of {@code d}, or empty when HDF5 output cannot hold it. */
    static Optional<Stored> storage(Dtype d, boolean rawBits) {
        switch (d.kind()) {
            case SIGNED, UNSIGNED, BOOL -> {
                return Optional.of(new Stored(d, null));
            }
            case COMPLEX -> {
                if (d == Dtype.C32) {
                    return rawBits ? Optional.empty() : Optional.of(new Stored(Dtype.C64, TypeChange.How.WIDENED));
                }
                return Optional.of(new Stored(d, null));
            }
            case FLOAT -> {
                if (d == Dtype.F16 || d == Dtype.F32 || d == Dtype.F64) {
                    return Optional.of(new Stored(d, null));
                }
                if (rawBits) {
                    return Optional.of(new Stored(d.bits() == 16 ? Dtype.U16 : Dtype.U8, TypeChange.How.RAW_BITS));
                }
                return Optional.of(new Stored(Dtype.F32, TypeChange.How.WIDENED));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** The datatype message for stored elements of {@code d} (a dtype {@link #storage} returns). */
    static byte[] datatype(Dtype d) {
        return switch (d.kind()) {
            case SIGNED -> fixed(d.byteWidth(), true);
            case UNSIGNED -> fixed(d.byteWidth(), false);
            case BOOL -> bool();
            case FLOAT -> ieee(d);
            case COMPLEX -> complex(d == Dtype.C64 ? Dtype.F32 : Dtype.F64);
            default -> throw new IllegalArgumentException("no HDF5 datatype for " + d);
        };
    }

    /** A variable-length UTF-8 string, as h5py writes a Python {@code str} attribute. */
    static byte[] vlenUtf8() {
        Bytes b = new Bytes();
        header(b, CLASS_VLEN, 1, 0x01, 0x01, 0x00, 16);   // type 1 = string; padding 0; charset 1 = UTF-8
        b.raw(fixed(1, false));                            // the base type: one unsigned byte per code unit
        return b.toArray();
    }

    private static byte[] fixed(int size, boolean signed) {
        Bytes b = new Bytes();
        header(b, CLASS_FIXED, 1, signed ? 0x08 : 0x00, 0, 0, size);   // little-endian, zero padding
        b.u16(0).u16(size * 8);                                      // bit offset, precision
        return b.toArray();
    }

    private static byte[] ieee(Dtype d) {
        int bits = d.bits();
        int exponentBits = switch (bits) {
            case 16 -> 5;
            case 32 -> 8;
            case 64 -> 11;
            default -> throw new IllegalArgumentException("no IEEE type of " + bits + " bits");
        };
        int mantissaBits = bits - 1 - exponentBits;
        Bytes b = new Bytes();
        // little-endian, zero padding, mantissa normalization 2 (implied leading 1), sign bit location
        header(b, CLASS_FLOAT, 1, 0x20, bits - 1, 0, bits / 8);
        b.u16(0).u16(bits);                          // bit offset, precision
        b.u8(mantissaBits).u8(exponentBits);         // exponent location and size
        b.u8(0).u8(mantissaBits);                    // mantissa location and size
        b.u32((1 << (exponentBits - 1)) - 1);        // exponent bias
        return b.toArray();
    }

    private static byte[] bool() {
        Bytes b = new Bytes();
        header(b, CLASS_ENUM, 3, 2, 0, 0, 1);        // version 3: names not padded; 2 members
        b.raw(fixed(1, true));
        b.raw("FALSE\0TRUE\0".getBytes(StandardCharsets.US_ASCII));
        b.u8(0).u8(1);
        return b.toArray();
    }

    private static byte[] complex(Dtype part) {
        int partSize = part.byteWidth();
        Bytes b = new Bytes();
        header(b, CLASS_COMPOUND, 3, 2, 0, 0, 2 * partSize);   // version 3: offsets in the fewest bytes
        b.raw(new byte[] {'r', 0}).u8(0).raw(ieee(part));
        b.raw(new byte[] {'i', 0}).u8(partSize).raw(ieee(part));
        return b.toArray();
    }

    private static void header(Bytes b, int typeClass, int version, int bits0, int bits8, int bits16, int size) {
        b.u8(version << 4 | typeClass).u8(bits0).u8(bits8).u8(bits16).u32(size);
    }

    /** Little-endian bytes. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return u8(v).u8(v >>> 8);
        }

        Bytes u32(long v) {
            return u16((int) v).u16((int) (v >>> 16));
        }

        Bytes u64(long v) {
            return u32(v).u32(v >>> 32);
        }

        Bytes raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        Bytes zeros(int n) {
            out.writeBytes(new byte[n]);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toArray() {
            return out.toByteArray();
        }
    }
}
