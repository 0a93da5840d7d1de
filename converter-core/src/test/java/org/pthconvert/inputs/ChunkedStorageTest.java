package org.pthconvert.inputs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;

/**
 * Assembly of chunked tensors against a naive reference: random shapes cut into random grids of
 * chunks (FSDP rows, tensor-parallel columns, 2-D meshes, uneven and empty pieces), each chunk stored
 * C-contiguous in a file, or (as torch.save writes a transposed or permuted local shard) with
 * permuted, padded strides at a storage offset and gathered through windows and staging buffers far
 * smaller than the tensor; every read and transfer, at random positions and lengths, must give the
 * bytes of the whole tensor in C order.
 */
class ChunkedStorageTest {

    @TempDir
    Path dir;

    @Test
    void randomGridsAssembleInCOrder() throws Exception {
        Random rnd = new Random(16);
        for (int round = 0; round < 200; round++) {
            int rank = 1 + rnd.nextInt(4);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + rnd.nextInt(6);
            }
            int width = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
            check(shape, width, rnd, dir.resolve("r" + round), false);
        }
    }

    @Test
    void randomStridedChunksAssembleInCOrder() throws Exception {
        Random rnd = new Random(161);
        for (int round = 0; round < 300; round++) {
            int rank = 1 + rnd.nextInt(4);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + rnd.nextInt(6);
            }
            int width = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
            check(shape, width, rnd, dir.resolve("s" + round), true);
        }
        assertTrue(stridedPieces > 300, "strided pieces made: " + stridedPieces);
    }

    private int stridedPieces;

    private void check(long[] shape, int width, Random rnd, Path file, boolean strided) throws Exception {
        // cut points per dimension (possibly none: whole dimension in one piece)
        List<long[]> cuts = new ArrayList<>();
        for (long s : shape) {
            List<Long> c = new ArrayList<>(List.of(0L));
            for (long x = 1; x < s; x++) {
                if (rnd.nextInt(3) == 0) {
                    c.add(x);
                }
            }
            c.add(s);
            cuts.add(c.stream().mapToLong(Long::longValue).toArray());
        }
        int numel = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        byte[] whole = new byte[numel * width];
        rnd.nextBytes(whole);
        List<long[][]> grid = new ArrayList<>();
        grid(cuts, 0, new long[shape.length], new long[shape.length], grid);
        java.util.Collections.shuffle(grid, rnd);
        List<ChunkedStorage.Piece> pieces = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            long at = 7; // chunks at odd offsets, as inside zip records
            for (long[][] g : grid) {
                byte[] data = extract(whole, shape, width, g[0], g[1]);
                if (strided && rnd.nextInt(4) != 0) {
                    long[] strides = layout(g[1], rnd);
                    long offset = rnd.nextInt(4);
                    byte[] storage = scatter(data, g[1], strides, offset, width, rnd);
                    ch.write(ByteBuffer.wrap(storage), at);
                    ChunkedStorage.Piece p = new ChunkedStorage.Piece(g[0], g[1], ch, file, at + offset * width, strides);
                    stridedPieces += p.contiguous() ? 0 : 1;
                    pieces.add(p);
                    at += storage.length + 3;
                } else {
                    ch.write(ByteBuffer.wrap(data), at);
                    pieces.add(new ChunkedStorage.Piece(g[0], g[1], ch, file, at));
                    at += data.length + 3;
                }
            }
            ChunkedStorage.check("t", shape, pieces, file);
            ChunkedStorage s = strided
                    ? new ChunkedStorage("t", shape, width, pieces, width * (1 + rnd.nextInt(whole.length / width + 2)),
                            width * (1 + rnd.nextInt(4)))
                    : new ChunkedStorage("t", shape, width, pieces);
            ByteBuffer all = ByteBuffer.allocate(whole.length);
            s.read(0, all);
            assertArrayEquals(whole, all.array(), java.util.Arrays.toString(shape));
            for (int i = 0; i < 5 && whole.length > 0; i++) {
                int from = rnd.nextInt(whole.length);
                int len = rnd.nextInt(whole.length - from + 1);
                ByteBuffer part = ByteBuffer.allocate(len);
                s.read(from, part);
                assertArrayEquals(java.util.Arrays.copyOfRange(whole, from, from + len), part.array());
                Path t = dir.resolve("out");
                try (FileChannel out = FileChannel.open(t, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    s.transferTo(from, len, out);
                }
                assertArrayEquals(java.util.Arrays.copyOfRange(whole, from, from + len), Files.readAllBytes(t));
            }
        }
    }

    /** Dense strides in a random order of the dimensions, sometimes with gaps between them. */
    private static long[] layout(long[] sizes, Random rnd) {
        int rank = sizes.length;
        List<Integer> order = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            order.add(d);
        }
        java.util.Collections.shuffle(order, rnd);
        long[] strides = new long[rank];
        long next = 1 + (rnd.nextInt(5) == 0 ? 1 : 0);
        for (int k = rank - 1; k >= 0; k--) {
            int d = order.get(k);
            strides[d] = next;
            next = next * sizes[d] + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0);
        }
        return strides;
    }

    /** A storage holding the chunk's C-order elements {@code data} at the given strides and offset, noise elsewhere. */
    private static byte[] scatter(byte[] data, long[] sizes, long[] strides, long offset, int width, Random rnd) {
        int n = data.length / width;
        long last = offset;
        for (int d = 0; d < sizes.length; d++) {
            last += (sizes[d] - 1) * strides[d];
        }
        byte[] storage = new byte[(int) (n == 0 ? offset : last + 1 + rnd.nextInt(3)) * width];
        rnd.nextBytes(storage);
        for (int e = 0; e < n; e++) {
            long rest = e;
            long at = offset;
            for (int d = sizes.length - 1; d >= 0; d--) {
                at += (rest % sizes[d]) * strides[d];
                rest /= sizes[d];
            }
            System.arraycopy(data, e * width, storage, (int) at * width, width);
        }
        return storage;
    }

    private static void grid(List<long[]> cuts, int d, long[] off, long[] size, List<long[][]> out) {
        if (d == cuts.size()) {
            out.add(new long[][] {off.clone(), size.clone()});
            return;
        }
        long[] c = cuts.get(d);
        for (int i = 0; i + 1 < c.length; i++) {
            off[d] = c[i];
            size[d] = c[i + 1] - c[i];
            grid(cuts, d + 1, off, size, out);
        }
    }

    /** The C-order bytes of the sub-block {@code [off, off + size)} of a C-order tensor. */
    private static byte[] extract(byte[] whole, long[] shape, int width, long[] off, long[] size) {
        int n = (int) java.util.Arrays.stream(size).reduce(1, (a, b) -> a * b);
        byte[] out = new byte[n * width];
        long[] idx = new long[shape.length];
        for (int e = 0; e < n; e++) {
            long rest = e;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = off[d] + rest % size[d];
                rest /= size[d];
            }
            long flat = 0;
            for (int d = 0; d < shape.length; d++) {
                flat = flat * shape[d] + idx[d];
            }
            System.arraycopy(whole, (int) flat * width, out, e * width, width);
        }
        return out;
    }

    @Test
    void gapsOverlapsAndOutOfRangeChunksAreRefused() {
        long[] shape = {4, 4};
        ChunkedStorage.Piece top = new ChunkedStorage.Piece(new long[] {0, 0}, new long[] {2, 4}, null, dir, 0);
        ChunkedStorage.Piece bottom = new ChunkedStorage.Piece(new long[] {2, 0}, new long[] {2, 4}, null, dir, 0);
        ChunkedStorage.Piece middle = new ChunkedStorage.Piece(new long[] {1, 0}, new long[] {2, 4}, null, dir, 0);
        ChunkedStorage.Piece outside = new ChunkedStorage.Piece(new long[] {3, 0}, new long[] {2, 4}, null, dir, 0);
        assertTrue(assertThrows(CheckpointException.class, () -> ChunkedStorage.check("t", shape, List.of(top), dir))
                .getMessage().contains("missing"));
        assertTrue(assertThrows(CheckpointException.class,
                () -> ChunkedStorage.check("t", shape, List.of(top, middle), dir)).getMessage().contains("overlap"));
        assertTrue(assertThrows(CheckpointException.class,
                () -> ChunkedStorage.check("t", shape, List.of(top, outside), dir)).getMessage().contains("outside"));
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> ChunkedStorage.check("t", shape, List.of(bottom, top), dir));
    }
}
