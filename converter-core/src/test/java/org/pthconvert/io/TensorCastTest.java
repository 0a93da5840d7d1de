package org.pthconvert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.BytesSource;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.dtype.FloatCasts;
import org.pthconvert.errors.CheckpointException;

class TensorCastTest {

    @TempDir
    Path dir;

    private static byte[] collect(TensorSource src) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        src.forEachChunk(chunk -> {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            out.write(b);
        });
        return out.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void bf16ToF32AcrossOddChunkBoundaries() throws Exception {
        int n = 100_000;
        ByteBuffer in = le(n * 2);
        ByteBuffer expected = le(n * 4);
        Random r = new Random(7);
        for (int i = 0; i < n; i++) {
            short v = (short) r.nextInt();
            in.putShort(v);
            expected.putInt(FloatCasts.bf16ToF32(v));
        }
        for (int chunk : new int[] {1, 3, 7, 4096, 1 << 20}) {
            TensorSource cast = TensorCast.of(new BytesSource(in.array(), chunk), Dtype.BF16, Dtype.F32);
            assertEquals(n * 4L, cast.byteLength());
            assertArrayEquals(expected.array(), collect(cast), "chunk " + chunk);
        }
    }

    @Test
    void everyFloat8CodeWidens() throws Exception {
        byte[] codes = new byte[256];
        for (int i = 0; i < 256; i++) {
            codes[i] = (byte) i;
        }
        for (Dtype t : new Dtype[] {Dtype.F8_E4M3FN, Dtype.F8_E5M2, Dtype.F8_E4M3FNUZ, Dtype.F8_E5M2FNUZ, Dtype.F8_E8M0FNU}) {
            ByteBuffer got = ByteBuffer.wrap(collect(TensorCast.of(new BytesSource(codes, 5), t, Dtype.F32)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 256; i++) {
                assertEquals(FloatCasts.float8ToF32(t, (byte) i), got.getInt());
            }
            ByteBuffer half = ByteBuffer.wrap(collect(TensorCast.of(new BytesSource(codes, 5), t, Dtype.BF16)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 256; i++) {
                assertEquals(FloatCasts.f32ToBf16(FloatCasts.float8ToF32(t, (byte) i)), half.getShort());
            }
        }
    }

    @Test
    void narrowingAndWideningPairs() throws Exception {
        ByteBuffer in = le(5 * 4).putFloat(1f).putFloat(65520f).putFloat(-0f).putFloat(0x1p-24f).putFloat(Float.NaN);
        ByteBuffer f16 = ByteBuffer.wrap(collect(TensorCast.of(new BytesSource(in.array(), 3), Dtype.F32, Dtype.F16)))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(10, f16.capacity());
        assertEquals((short) 0x3C00, f16.getShort());
        assertEquals((short) 0x7C00, f16.getShort());
        assertEquals((short) 0x8000, f16.getShort());
        assertEquals((short) 0x0001, f16.getShort());
        assertEquals((short) 0x7E00, f16.getShort());

        ByteBuffer f64 = ByteBuffer.wrap(collect(TensorCast.of(new BytesSource(f16.array(), 3), Dtype.F16, Dtype.F64)))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.0, f64.getDouble());
        assertEquals(Double.POSITIVE_INFINITY, f64.getDouble());
        assertEquals(Double.doubleToRawLongBits(-0.0), f64.getLong());
        assertEquals(0x1p-24, f64.getDouble());
        assertTrue(Double.isNaN(f64.getDouble()));

        ByteBuffer d = le(16).putDouble(1 + 0x1p-11 + 0x1p-40).putDouble(-3.5);
        ByteBuffer back = ByteBuffer.wrap(collect(TensorCast.of(new BytesSource(d.array(), 8), Dtype.F64, Dtype.F16)))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((short) 0x3C00, back.getShort());
        assertEquals((short) 0xC300, back.getShort());
    }

    @Test
    void complexConvertsPartByPart() throws Exception {
        ByteBuffer c32 = le(4).putShort((short) 0x3C00).putShort((short) 0xC000); // 1 - 2i
        ByteBuffer c64 = ByteBuffer.wrap(collect(TensorCast.of(new BytesSource(c32.array(), 1), Dtype.C32, Dtype.C64)))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, c64.getFloat());
        assertEquals(-2f, c64.getFloat());
        TensorSource c128 = TensorCast.of(new BytesSource(c64.array(), 8), Dtype.C64, Dtype.C128);
        assertEquals(16, c128.byteLength());
    }

    @Test
    void transferToWritesTheConvertedBytes() throws Exception {
        ByteBuffer in = le(4).putShort((short) 0x3F80).putShort((short) 0xC000);
        TensorSource cast = TensorCast.of(new BytesSource(in.array(), 4), Dtype.BF16, Dtype.F32);
        Path file = dir.resolve("out.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9}));
            cast.transferTo(ch);
            assertEquals(9, ch.position());
        }
        ByteBuffer got = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(9, got.get());
        assertEquals(1f, got.getFloat());
        assertEquals(-2f, got.getFloat());
    }

    @Test
    void largeOutputIsHandedOverInBoundedChunks() throws Exception {
        int n = TensorCast.BUFFER_BYTES; // 4x that after widening f8 -> f32
        int[] biggest = {0};
        long[] total = {0};
        TensorCast.of(new BytesSource(new byte[n], 1 << 20), Dtype.F8_E4M3FN, Dtype.F32).forEachChunk(c -> {
            biggest[0] = Math.max(biggest[0], c.remaining());
            total[0] += c.remaining();
        });
        assertEquals(4L * n, total[0]);
        assertTrue(biggest[0] <= TensorCast.BUFFER_BYTES);
    }

    /** Element-wise reference for one float value of {@code from}, as float32 bits, then to {@code to}. */
    private static void putExpected(ByteBuffer in, ByteBuffer out, Dtype from, Dtype to) {
        if (from == Dtype.F64) {
            long d = in.getLong();
            switch (to) {
                case F32 -> out.putInt(FloatCasts.f64ToF32(d));
                case F16 -> out.putShort(FloatCasts.f64ToF16(d));
                case BF16 -> out.putShort(FloatCasts.f64ToBf16(d));
                default -> throw new AssertionError(to);
            }
            return;
        }
        int f = switch (from) {
            case F32 -> in.getInt();
            case F16 -> FloatCasts.f16ToF32(in.getShort());
            case BF16 -> FloatCasts.bf16ToF32(in.getShort());
            default -> FloatCasts.float8ToF32(from, in.get());
        };
        switch (to) {
            case F64 -> out.putLong(FloatCasts.f32ToF64(f));
            case F32 -> out.putInt(f);
            case F16 -> out.putShort(FloatCasts.f32ToF16(f));
            case BF16 -> out.putShort(FloatCasts.f32ToBf16(f));
            default -> throw new AssertionError(to);
        }
    }

    @Test
    void everySupportedPairAgreesWithFloatCasts() throws Exception {
        Random r = new Random(11);
        byte[] data = new byte[8 * 3001];
        r.nextBytes(data);
        int pairs = 0;
        for (Dtype from : Dtype.values()) {
            for (Dtype to : Dtype.values()) {
                if (from == to || !TensorCast.supports(from, to) || from.kind() == Dtype.Kind.COMPLEX) {
                    continue;
                }
                int n = data.length / from.byteWidth();
                ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer expected = le(n * to.byteWidth());
                for (int i = 0; i < n; i++) {
                    putExpected(in, expected, from, to);
                }
                byte[] got = collect(TensorCast.of(new BytesSource(data, 997), from, to));
                assertArrayEquals(expected.array(), got, from + " -> " + to);
                pairs++;
            }
        }
        assertEquals(9 * 4 - 4, pairs);   // 9 float sources x 4 targets, less the 4 same-type pairs
    }

    @Test
    void emptyTensor() throws Exception {
        TensorSource cast = TensorCast.of(new BytesSource(new byte[0], 8), Dtype.F32, Dtype.BF16);
        assertEquals(0, cast.byteLength());
        assertEquals(0, collect(cast).length);
    }

    @Test
    void sameTypeIsTheSourceItself() {
        TensorSource src = new BytesSource(new byte[4], 4);
        assertSame(src, TensorCast.of(src, Dtype.F32, Dtype.F32));
    }

    @Test
    void refusesWhatItCannotDoExactly() {
        assertFalse(TensorCast.supports(Dtype.F32, Dtype.F8_E4M3FN));
        assertFalse(TensorCast.supports(Dtype.I32, Dtype.F32));
        assertFalse(TensorCast.supports(Dtype.F4_E2M1FN_X2, Dtype.F32));
        assertFalse(TensorCast.supports(Dtype.F32, Dtype.C64));
        assertTrue(TensorCast.supports(Dtype.F8_E8M0FNU, Dtype.F64));
        assertThrows(IllegalArgumentException.class,
                () -> TensorCast.of(new BytesSource(new byte[4], 4), Dtype.I32, Dtype.F32));
        assertThrows(IllegalArgumentException.class,
                () -> TensorCast.of(new BytesSource(new byte[3], 4), Dtype.F16, Dtype.F32));
    }

    @Test
    void aShortSourceIsAnError() {
        TensorSource lying = new TensorSource() {
            @Override public long byteLength() { return 8; }
            @Override public void transferTo(FileChannel out) { }
            @Override public void forEachChunk(ChunkConsumer consumer) throws IOException, CheckpointException {
                consumer.accept(ByteBuffer.allocate(6));
            }
        };
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> collect(TensorCast.of(lying, Dtype.F32, Dtype.F16)));
        assertTrue(e.getMessage().contains("6 of 8"), e.getMessage());
    }
}
