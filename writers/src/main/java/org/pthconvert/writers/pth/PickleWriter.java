package org.pthconvert.writers.pth;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.Digits;

/**
 * Emits pickle protocol 2 opcodes, the subset {@code torch.save} uses for a state dict. Like
 * CPython's pickler it memoizes every global, string, tuple and reduced object it is told to
 * ({@link #put}), so repeated globals and strings come back as BINGET; callers decide what to
 * memoize. Holds the pickle in memory: a state dict's pickle is small (about 150 bytes a tensor).
 */
final class PickleWriter {

    private static final int PROTO = 0x80;
    private static final int GLOBAL = 'c';
    private static final int BINPUT = 'q';
    private static final int LONG_BINPUT = 'r';
    private static final int BINGET = 'h';
    private static final int LONG_BINGET = 'j';
    private static final int MARK = '(';
    private static final int TUPLE = 't';
    private static final int EMPTY_TUPLE = ')';
    private static final int TUPLE1 = 0x85;
    private static final int TUPLE2 = 0x86;
    private static final int TUPLE3 = 0x87;
    private static final int REDUCE = 'R';
    private static final int BINUNICODE = 'X';
    private static final int BININT = 'J';
    private static final int BININT1 = 'K';
    private static final int BININT2 = 'M';
    private static final int LONG1 = 0x8a;
    private static final int NEWTRUE = 0x88;
    private static final int NEWFALSE = 0x89;
    private static final int NONE = 'N';
    private static final int BINFLOAT = 'G';
    private static final int BINPERSID = 'Q';
    private static final int EMPTY_DICT = '}';
    private static final int SETITEM = 's';
    private static final int SETITEMS = 'u';
    private static final int BUILD = 'b';
    private static final int STOP = '.';

    /**
     * The pickle so far. Not a ByteArrayOutputStream: its writes are synchronized, one lock per byte
     * (a state dict of 100,000 tensors is 15 million of them).
     */
    private final Bytes out;
    /** Memo slots of globals, by module, then name: looked up without making a string per tensor. */
    private final Map<String, Map<String, Integer>> globals = new HashMap<>();
    private int memoSize;

    PickleWriter() {
        this(64);
    }

    /** @param expectedBytes about how long the pickle will be (it grows past it when needed) */
    PickleWriter(int expectedBytes) {
        out = new Bytes(Math.max(16, expectedBytes));
        out.write(PROTO);
        out.write(2);
    }

    /** Pushes {@code module.name}, once as GLOBAL and afterwards from the memo. */
    PickleWriter global(String module, String name) {
        Map<String, Integer> names = globals.get(module); // not computeIfAbsent(lambda): README, "Start-up"
        if (names == null) {
            names = new HashMap<>();
            globals.put(module, names);
        }
        Integer slot = names.get(name);
        if (slot != null) {
            return get(slot);
        }
        out.write(GLOBAL);
        text(module);
        out.write('\n');
        text(name);
        out.write('\n');
        names.put(name, put());
        return this;
    }

    /** Memoizes the top of the stack; returns its slot for {@link #get}. */
    int put() {
        int slot = memoSize++;
        if (slot < 256) {
            out.write(BINPUT);
            out.write(slot);
        } else {
            out.write(LONG_BINPUT);
            le32(slot);
        }
        return slot;
    }

    PickleWriter get(int slot) {
        if (slot < 0 || slot >= memoSize) {
            throw new IllegalArgumentException("memo slot " + slot + " was never put");
        }
        if (slot < 256) {
            out.write(BINGET);
            out.write(slot);
        } else {
            out.write(LONG_BINGET);
            le32(slot);
        }
        return this;
    }

    PickleWriter str(String s) {
        out.write(BINUNICODE);
        if (CodePoints.isAscii(s)) {
            le32(s.length());
            out.ascii(s);
        } else {
            byte[] b = utf8SurrogatePass(s);
            le32(b.length);
            out.write(b, 0, b.length);
        }
        return this;
    }

    /**
     * UTF-8 as CPython's pickle encodes a str ({@code 'surrogatepass'}): a lone surrogate, which a
     * checkpoint's names may hold and torch.load gives back as such, becomes its three-byte form, where
     * {@link String#getBytes} would write '?' (a silent rename). Well-formed text gives standard UTF-8.
     */
    static byte[] utf8SurrogatePass(String s) {
        int n = Math.toIntExact(CodePoints.utf8Length(s));
        byte[] b = new byte[n];
        int k = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[k++] = (byte) c;
            } else if (c < 0x800) {
                b[k++] = (byte) (0xC0 | c >> 6);
                b[k++] = (byte) (0x80 | c & 0x3F);
            } else if (CodePoints.pairAt(s, i)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[k++] = (byte) (0xF0 | cp >> 18);
                b[k++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[k++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[k++] = (byte) (0x80 | cp & 0x3F);
            } else {
                b[k++] = (byte) (0xE0 | c >> 12);
                b[k++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[k++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return b;
    }

    /** {@code str(n)} for {@code n >= 0}, as {@link #str} writes it, without making the string. */
    PickleWriter decimalStr(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative: " + n);
        }
        int digits = Digits.count(n);
        out.write(BINUNICODE);
        le32(digits);
        out.decimal(n, digits);
        return this;
    }

    /** An int the way CPython picks its opcode: BININT1, BININT2, BININT, else LONG1. */
    PickleWriter integer(long v) {
        if (v >= 0 && v <= 0xff) {
            out.write(BININT1);
            out.write((int) v);
        } else if (v >= 0 && v <= 0xffff) {
            out.write(BININT2);
            out.write((int) v & 0xff);
            out.write((int) (v >>> 8) & 0xff);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write(BININT);
            le32((int) v);
        } else {
            byte[] be = BigInteger.valueOf(v).toByteArray(); // minimal two's complement, big-endian
            out.write(LONG1);
            out.write(be.length);
            for (int i = be.length - 1; i >= 0; i--) {
                out.write(be[i]);
            }
        }
        return this;
    }

    PickleWriter bool(boolean v) {
        out.write(v ? NEWTRUE : NEWFALSE);
        return this;
    }

    PickleWriter none() {
        out.write(NONE);
        return this;
    }

    PickleWriter floating(double v) {
        out.write(BINFLOAT);
        long bits = Double.doubleToRawLongBits(v);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)) & 0xff);
        }
        return this;
    }

    PickleWriter mark() {
        out.write(MARK);
        return this;
    }

    /** Makes a tuple of the top {@code n} items, 0 to 3 (longer tuples: {@link #mark} ... {@link #markTuple}). */
    PickleWriter tuple(int n) {
        switch (n) {
            case 0 -> out.write(EMPTY_TUPLE);
            case 1 -> out.write(TUPLE1);
            case 2 -> out.write(TUPLE2);
            case 3 -> out.write(TUPLE3);
            default -> throw new IllegalArgumentException("tuple of " + n + " items needs MARK ... TUPLE");
        }
        return this;
    }

    /** Makes a tuple of the items pushed since the last {@link #mark}. */
    PickleWriter markTuple() {
        out.write(TUPLE);
        return this;
    }

    PickleWriter emptyTuple() {
        out.write(EMPTY_TUPLE);
        return this;
    }

    PickleWriter reduce() {
        out.write(REDUCE);
        return this;
    }

    PickleWriter persid() {
        out.write(BINPERSID);
        return this;
    }

    PickleWriter emptyDict() {
        out.write(EMPTY_DICT);
        return this;
    }

    PickleWriter setItem() {
        out.write(SETITEM);
        return this;
    }

    PickleWriter setItems() {
        out.write(SETITEMS);
        return this;
    }

    PickleWriter build() {
        out.write(BUILD);
        return this;
    }

    /** The pickle, ended: the buffer it was built in, not a copy cut to size (10 MB for 100,000 tensors). */
    ByteBuffer finish() {
        out.write(STOP);
        return out.written();
    }

    /** Module and attribute names: UTF-8, as protocol 2's GLOBAL line holds them. */
    private void text(String s) {
        if (CodePoints.isAscii(s)) {
            out.ascii(s);
        } else {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
        }
    }


    private void le32(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
    }

    /** A growable byte array written from one thread. */
    private static final class Bytes {
        private byte[] buf;
        private int count;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        void write(int b) {
            if (count == buf.length) {
                grow(1);
            }
            buf[count++] = (byte) b;
        }

        void write(byte[] b, int off, int len) {
            if (len > buf.length - count) {
                grow(len);
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        /** Characters below 0x80 as their own bytes. */
        void ascii(String s) {
            int len = s.length();
            if (len > buf.length - count) {
                grow(len);
            }
            for (int i = 0; i < len; i++) {
                buf[count++] = (byte) s.charAt(i);
            }
        }

        /** {@code n >= 0} in its {@code digits} decimal digits. */
        void decimal(int n, int digits) {
            if (digits > buf.length - count) {
                grow(digits);
            }
            Digits.write(buf, count, n, digits);
            count += digits;
        }

        private void grow(int more) {
            int need = Math.addExact(count, more);
            buf = Arrays.copyOf(buf, Math.max(need, (int) Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
        }

        ByteBuffer written() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }
}
