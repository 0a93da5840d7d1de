package org.pthconvert.writers.safetensors;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.pthconvert.writers.Digits;

/**
 * The safetensors header as it is built: bytes appended to one growing array, with the few
 * appends the header needs (ASCII, decimals, serde_json string literals).
 */
final class HeaderBytes {
    private byte[] buf;
    private int size;

    HeaderBytes(long initialCapacity) {
        buf = new byte[(int) Math.min(initialCapacity, SafetensorsHeader.MAX_HEADER_BYTES + 16)];
    }

    long size() { return size; }

    /** Leaves {@code n} bytes to fill in {@link #finish}. */
    void reserve(int n) {
        room(n);
        size += n;
    }

    void put(char ascii) {
        room(1);
        buf[size++] = (byte) ascii;
    }

    void putRaw(byte[] b) {
        room(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    void putDecimal(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative " + v);
        }
        if (v > Integer.MAX_VALUE) {
            putDecimal(v / 1_000_000_000L);
            putDigits((int) (v % 1_000_000_000L), 9);
            return;
        }
        // int division from here: C1 calls into the runtime for each long one
        int n = (int) v;
        putDigits(n, Digits.count(n));
    }

    /** The last {@code digits} decimal digits of {@code v}, zeros first where it has fewer. */
    private void putDigits(int v, int digits) {
        room(digits);
        Digits.write(buf, size, v, digits);
        size += digits;
    }

    /**
     * A string literal as {@link Json#serdeString} writes it, in UTF-8. Escapes concern only bytes
     * below 0x20, {@code "} and {@code \}, none of which occurs inside a multi-byte UTF-8 sequence,
     * so the string's UTF-8 bytes can be scanned directly.
     */
    void serdeString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        room(utf8.length + 2);
        buf[size++] = '"';
        int from = 0;
        for (int i = 0; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b >= 0 && (b < 0x20 || b == '"' || b == '\\')) {
                putSlice(utf8, from, i);
                StringBuilder esc = new StringBuilder(6);
                Json.escape(esc, (char) b);
                putRaw(esc.toString().getBytes(StandardCharsets.US_ASCII));
                from = i + 1;
            }
        }
        putSlice(utf8, from, utf8.length);
        put('"');
    }

    private void putSlice(byte[] b, int from, int to) {
        room(to - from);
        System.arraycopy(b, from, buf, size, to - from);
        size += to - from;
    }

    /**
     * The finished bytes, the little-endian {@code length} in the reserved first 8 bytes: the array
     * itself, not a copy cut to size (8 MB for 100,000 tensors).
     */
    ByteBuffer finish(long length) {
        for (int i = 0; i < 8; i++) {
            buf[i] = (byte) (length >>> (8 * i));
        }
        return ByteBuffer.wrap(buf, 0, size);
    }

    private void room(int n) {
        if (n > buf.length - size) {
            long want = Math.max((long) size + n, 2L * buf.length);
            buf = Arrays.copyOf(buf, (int) Math.min(want, Integer.MAX_VALUE - 16));
        }
    }
}
