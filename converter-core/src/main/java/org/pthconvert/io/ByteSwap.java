package org.pthconvert.io;

/** Reverses the bytes of each {@code unit}-byte group in place (big-endian to little-endian). */
final class ByteSwap {
    private ByteSwap() {
    }

    /** {@code len} must be a multiple of {@code unit}; units of 0 or 1 byte leave the data as is. */
    static void swap(byte[] b, int off, int len, int unit) {
        if (unit <= 1) {
            return;
        }
        if (len % unit != 0) {
            throw new IllegalArgumentException(len + " bytes are not a whole number of " + unit + "-byte units");
        }
        int end = off + len;
        switch (unit) {
            case 2 -> {
                for (int i = off; i < end; i += 2) {
                    byte t = b[i];
                    b[i] = b[i + 1];
                    b[i + 1] = t;
                }
            }
            case 4 -> {
                for (int i = off; i < end; i += 4) {
                    byte t0 = b[i];
                    byte t1 = b[i + 1];
                    b[i] = b[i + 3];
                    b[i + 1] = b[i + 2];
                    b[i + 2] = t1;
                    b[i + 3] = t0;
                }
            }
            default -> {
                for (int i = off; i < end; i += unit) {
                    for (int lo = i, hi = i + unit - 1; lo < hi; lo++, hi--) {
                        byte t = b[lo];
                        b[lo] = b[hi];
                        b[hi] = t;
                    }
                }
            }
        }
    }
}
