package org.pthconvert.writers.zip;

/**
 * The CRC-32 of two byte strings joined, from the CRC-32 of each and the second one's length,
 * without their bytes. CRC-32 (as zip, gzip and {@link java.util.zip.CRC32} compute it) is linear
 * over GF(2) apart from its pre- and post-inversion, which cancel out when two CRCs are joined: the
 * CRC of A followed by B is the CRC of A multiplied by x^(8 * len(B)) modulo the CRC polynomial,
 * plus the CRC of B. Polynomials are kept bit-reflected, as the CRC register is, so x^0 is the top
 * bit.
 */
public final class Crc32Combine {
    /** The CRC-32 polynomial, reflected. */
    private static final int POLY = 0xEDB88320;
    /** x^(2^k) modulo the polynomial, for every k the bits of 8n (n < 2^63) can need: squaring the previous entry each time. */
    private static final int[] X_TO_2_TO_K = new int[67];

    static {
        X_TO_2_TO_K[0] = 1 << 30; // x^1
        for (int k = 1; k < X_TO_2_TO_K.length; k++) {
            X_TO_2_TO_K[k] = multiply(X_TO_2_TO_K[k - 1], X_TO_2_TO_K[k - 1]);
        }
    }

    private Crc32Combine() {
    }

    /** The CRC-32 of A then B, given {@code crcA}, {@code crcB} and B's length in bytes. */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) {
            throw new IllegalArgumentException("negative length " + lengthB);
        }
        return multiply(xToEightTimes(lengthB), crcA) ^ crcB;
    }

    /** x^(8n) modulo the polynomial: the product of x^(2^k) over the bits k of 8n. */
    private static int xToEightTimes(long n) {
        int product = 1 << 31; // x^0
        int k = 3;             // 8n = n * 2^3
        for (long m = n; m != 0; m >>>= 1, k++) {
            if ((m & 1) != 0) {
                product = multiply(X_TO_2_TO_K[k], product);
            }
        }
        return product;
    }

    /** a(x) * b(x) modulo the polynomial, both reflected. */
    private static int multiply(int a, int b) {
        int product = 0;
        int bx = b; // b(x) * x^i, for the bit of a being looked at
        for (int bit = 31; bit >= 0; bit--) {
            if ((a >>> bit & 1) != 0) {
                product ^= bx;
            }
            bx = (bx & 1) != 0 ? bx >>> 1 ^ POLY : bx >>> 1;
        }
        return product;
    }
}
