package org.pthconvert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorView;

class ViewSourceTest {
    @TempDir
    Path dir;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static TensorView view(Dtype dtype, long offset, long[] shape, long[] strides) {
        return new TensorView(new StorageRef("0", dtype, 0, "cpu"), dtype, offset, Shape.of(shape), Shape.of(strides),
                null);
    }

    /** Index by index, in C order, element bytes reversed per swap unit when big-endian. */
    static byte[] reference(byte[] storage, TensorView v, boolean bigEndian) {
        int w = v.dtype().byteWidth();
        int unit = v.dtype().swapUnit();
        long n = v.numel();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rank = v.shape().rank();
        long[] idx = new long[rank];
        for (long e = 0; e < n; e++) {
            long at = v.storageOffset();
            for (int i = 0; i < rank; i++) {
                at += idx[i] * v.strides().dim(i);
            }
            byte[] el = java.util.Arrays.copyOfRange(storage, (int) (at * w), (int) (at * w + w));
            if (bigEndian && unit > 1) {
                for (int u = 0; u < w; u += unit) {
                    for (int lo = u, hi = u + unit - 1; lo < hi; lo++, hi--) {
                        byte t = el[lo];
                        el[lo] = el[hi];
                        el[hi] = t;
                    }
                }
            }
            out.writeBytes(el);
            for (int i = rank - 1; i >= 0; i--) {
                if (++idx[i] < v.shape().dim(i)) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return out.toByteArray();
    }

    static byte[] viaChunks(TensorSource s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.forEachChunk(c -> {
            assertTrue(c.remaining() > 0 && c.remaining() <= ViewSource.CHUNK);
            byte[] b = new byte[c.remaining()];
            c.get(b);
            out.writeBytes(b);
        });
        return out.toByteArray();
    }

    byte[] viaTransfer(TensorSource s) throws Exception {
        Path p = Files.createTempFile(dir, "t", ".bin");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {9, 9, 9}));
            s.transferTo(ch);
            assertEquals(3 + s.byteLength(), ch.position());
        }
        byte[] all = Files.readAllBytes(p);
        return java.util.Arrays.copyOfRange(all, 3, all.length);
    }

    void check(byte[] storage, TensorView v, ByteOrder order) throws Exception {
        ArrayStorage s = new ArrayStorage(storage);
        ViewSource src = new ViewSource(s, v, order);
        byte[] expected = reference(storage, v, order == ByteOrder.BIG_ENDIAN);
        assertEquals(expected.length, src.byteLength());
        assertArrayEquals(expected, viaChunks(src), () -> "chunks of " + src);
        assertArrayEquals(expected, viaTransfer(src), () -> "transfer of " + src);
        // readFully between other bytes, into a direct buffer as the safetensors writer gathers
        java.nio.ByteBuffer gathered = java.nio.ByteBuffer.allocateDirect(expected.length + 6);
        gathered.put(new byte[] {1, 2, 3});
        gathered.limit(3 + expected.length);
        src.readFully(gathered);
        assertEquals(3 + expected.length, gathered.position(), () -> "readFully of " + src);
        byte[] got = new byte[expected.length];
        gathered.position(3);
        gathered.get(got);
        assertArrayEquals(expected, got, () -> "readFully of " + src);
    }

    void check(byte[] storage, TensorView v) throws Exception {
        check(storage, v, ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void contiguous() throws Exception {
        byte[] st = random(4 * 60, 1);
        check(st, view(Dtype.F32, 0, new long[] {3, 4, 5}, new long[] {20, 5, 1}));
        check(st, view(Dtype.F32, 7, new long[] {50}, new long[] {1}));
    }

    @Test
    void transposed() throws Exception {
        byte[] st = random(4 * 12, 2);
        check(st, view(Dtype.F32, 0, new long[] {4, 3}, new long[] {1, 4}));
        check(st, view(Dtype.I16, 0, new long[] {6, 4}, new long[] {1, 6}));
    }

    @Test
    void slicedWithOffset() throws Exception {
        byte[] st = random(8 * 100, 3);
        // x[2:7, 3:9] of a 10x10 float64 matrix
        check(st, view(Dtype.F64, 23, new long[] {5, 6}, new long[] {10, 1}));
        // x[1::3, ::2]
        check(st, view(Dtype.F64, 10, new long[] {3, 5}, new long[] {30, 2}));
    }

    @Test
    void expandedStrideZero() throws Exception {
        byte[] st = random(4 * 3, 4);
        check(st, view(Dtype.F32, 0, new long[] {1000, 3}, new long[] {0, 1}));
        check(st, view(Dtype.F32, 1, new long[] {2, 1000}, new long[] {1, 0}));
        check(st, view(Dtype.F32, 2, new long[] {7}, new long[] {0}));
        ArrayStorage s = new ArrayStorage(st);
        viaChunks(new ViewSource(s, view(Dtype.F32, 0, new long[] {100000, 3}, new long[] {0, 1}),
                ByteOrder.LITTLE_ENDIAN));
        assertEquals(1, s.reads, "an expanded block is read once");
    }

    @Test
    void channelsLast() throws Exception {
        // N=2, C=3, H=4, W=5 stored as NHWC
        long c = 3;
        long h = 4;
        long w = 5;
        byte[] st = random((int) (2 * c * h * w * 2), 5);
        check(st, view(Dtype.F16, 0, new long[] {2, c, h, w}, new long[] {h * w * c, 1, w * c, c}));
    }

    @Test
    void zeroDimensional() throws Exception {
        byte[] st = random(8 * 5, 6);
        TensorView v = view(Dtype.I64, 3, new long[0], new long[0]);
        check(st, v);
        assertEquals(8, new ViewSource(new ArrayStorage(st), v, ByteOrder.LITTLE_ENDIAN).byteLength());
    }

    @Test
    void emptyViewsProduceNothing() throws Exception {
        ArrayStorage s = new ArrayStorage(new byte[0]);
        for (long[][] sv : new long[][][] {{{0}, {1}}, {{3, 0}, {0, 1}}, {{0, 5, 7}, {35, 7, 1}}}) {
            ViewSource src = new ViewSource(s, view(Dtype.F32, 0, sv[0], sv[1]), ByteOrder.BIG_ENDIAN);
            assertEquals(0, src.byteLength());
            assertEquals(0, viaChunks(src).length);
            assertEquals(0, viaTransfer(src).length);
        }
        assertEquals(0, s.reads);
    }

    @Test
    void bigEndianSwapsEachUnit() throws Exception {
        byte[] st = random(16 * 24, 7);
        for (Dtype d : new Dtype[] {Dtype.I16, Dtype.F32, Dtype.F64, Dtype.C64, Dtype.C128, Dtype.U8, Dtype.BOOL}) {
            check(st, view(d, 1, new long[] {4, 5}, new long[] {5, 1}), ByteOrder.BIG_ENDIAN);
            check(st, view(d, 0, new long[] {5, 4}, new long[] {1, 5}), ByteOrder.BIG_ENDIAN);
        }
        // concrete: one big-endian int32 1 becomes 01 00 00 00; a complex64 swaps each half
        byte[] one = {0, 0, 0, 1, 0, 0, 0, 2};
        ViewSource s = new ViewSource(new ArrayStorage(one), view(Dtype.C64, 0, new long[] {1}, new long[] {1}),
                ByteOrder.BIG_ENDIAN);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}, viaChunks(s));
    }

    @Test
    void contiguousLittleEndianIsOneRangeCopy() throws Exception {
        byte[] st = random(4000, 8);
        ArrayStorage s = new ArrayStorage(st);
        ViewSource src = new ViewSource(s, view(Dtype.F32, 10, new long[] {10, 1, 90}, new long[] {90, 900, 1}),
                ByteOrder.LITTLE_ENDIAN);
        assertTrue(src.isDirectCopy());
        viaTransfer(src);
        assertEquals(1, s.reads);
    }

    /** Large enough to need several chunks and each gather strategy. */
    @Test
    void largeViewsUseEveryStrategy() throws Exception {
        int rows = 1100;
        int cols = 1200;
        byte[] st = random(rows * cols * 4, 9);
        // transposed 1100x1200 float32: 5 MB, larger than the block buffer -> tiles
        check(st, view(Dtype.F32, 0, new long[] {cols, rows}, new long[] {1, cols}));
        // rows of 2 KB... runs (x[:, 100:1124])
        check(st, view(Dtype.F32, 100, new long[] {rows, 1024}, new long[] {cols, 1}));
        // huge stride, one element per read
        check(st, view(Dtype.F32, 5, new long[] {1000}, new long[] {1300}));
        // permuted 3-d with a big middle stride
        check(st, view(Dtype.F32, 0, new long[] {10, 11, 12}, new long[] {12, 120000, 1}));
        // many chunks through a big contiguous big-endian range
        check(st, view(Dtype.F64, 0, new long[] {rows * cols / 2}, new long[] {1}), ByteOrder.BIG_ENDIAN);
    }

    @Test
    void tilesReadEachByteAboutOnce() throws Exception {
        int n = 1500;
        byte[] st = random(n * n * 4, 10);
        ArrayStorage s = new ArrayStorage(st);
        viaChunks(new ViewSource(s, view(Dtype.F32, 0, new long[] {n, n}, new long[] {1, n}), ByteOrder.LITTLE_ENDIAN));
        assertTrue(s.bytesRead <= 2L * st.length, "read " + s.bytesRead + " for " + st.length);
    }

    @Test
    void randomViewsMatchTheReference() throws Exception {
        Random rnd = new Random(11);
        byte[] st = random(8 * 4096, 12);
        Dtype[] types = {Dtype.U8, Dtype.F16, Dtype.F32, Dtype.F64, Dtype.C128};
        for (int trial = 0; trial < 300; trial++) {
            Dtype d = types[rnd.nextInt(types.length)];
            int rank = rnd.nextInt(5);
            long[] shape = new long[rank];
            long[] strides = new long[rank];
            long extent = 0;
            for (int i = 0; i < rank; i++) {
                shape[i] = rnd.nextInt(6);
                strides[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(40);
            }
            for (int i = 0; i < rank; i++) {
                extent += Math.max(0, shape[i] - 1) * strides[i];
            }
            long capacity = st.length / d.byteWidth();
            if (extent + 1 > capacity) {
                continue;
            }
            long offset = rnd.nextInt((int) Math.min(100, capacity - extent));
            ByteOrder order = rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            check(st, view(d, offset, shape, strides), order);
        }
    }

    @Test
    void viewPastItsStorageFailsWithCheckpointException() {
        ArrayStorage s = new ArrayStorage(new byte[16]);
        ViewSource src = new ViewSource(s, view(Dtype.F32, 2, new long[] {2, 2}, new long[] {1, 2}), ByteOrder.LITTLE_ENDIAN);
        assertThrows(CheckpointException.class, () -> viaChunks(src));
    }

    @Test
    void overflowingViewIsRefusedUpFront() {
        assertThrows(IllegalArgumentException.class, () -> new ViewSource(new ArrayStorage(new byte[0]),
                view(Dtype.F64, 0, new long[] {Long.MAX_VALUE / 4}, new long[] {1}), ByteOrder.LITTLE_ENDIAN));
    }
    /** Only a whole storage, unchanged, passes on the CRC its directory declares. */
    @Test
    void declaredCrcOnlyForTheWholeStorageUnchanged() {
        byte[] bytes = random(400, 5);
        StorageBytes declared = new ArrayStorage(bytes) {
            @Override
            public java.util.OptionalLong declaredCrc32() {
                return java.util.OptionalLong.of(0xCAFEL);
            }
        };
        TensorView whole = view(Dtype.F32, 0, new long[] {10, 10}, new long[] {10, 1});
        assertEquals(java.util.OptionalLong.of(0xCAFEL), new ViewSource(declared, whole, ByteOrder.LITTLE_ENDIAN).declaredCrc32());
        for (TensorView part : new TensorView[] {view(Dtype.F32, 1, new long[] {99}, new long[] {1}),
                view(Dtype.F32, 0, new long[] {99}, new long[] {1}), view(Dtype.F32, 0, new long[] {10, 10}, new long[] {1, 10})}) {
            assertTrue(new ViewSource(declared, part, ByteOrder.LITTLE_ENDIAN).declaredCrc32().isEmpty(), part.toString());
        }
        assertTrue(new ViewSource(declared, whole, ByteOrder.BIG_ENDIAN).declaredCrc32().isEmpty(), "byte-swapped");
        assertTrue(new ViewSource(new ArrayStorage(bytes), whole, ByteOrder.LITTLE_ENDIAN).declaredCrc32().isEmpty());
    }
}
