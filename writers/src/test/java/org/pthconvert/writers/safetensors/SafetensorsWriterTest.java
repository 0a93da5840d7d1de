package org.pthconvert.writers.safetensors;

import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.WritePlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pthconvert.writers.CodePoints;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.ArraySource;
import org.pthconvert.writers.Fixtures;
import org.pthconvert.writers.MiniJson;
import org.pthconvert.writers.Tensors;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriteSession;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    private final SafetensorsWriter writer = new SafetensorsWriter();

    /** The same tensors, order and seeds as MIXED in src/test/python/make_fixtures.py. */
    static Tensors mixed() {
        return new Tensors()
                .add("b.weight", Dtype.F32, Shape.of(2, 3), 1)
                .add("a.weight", Dtype.F32, Shape.of(2, 3), 2)
                .add("emb", Dtype.BF16, Shape.of(4), 3)
                .add("half", Dtype.F16, Shape.of(3, 1), 4)
                .add("scalar", Dtype.F64, Shape.SCALAR, 5)
                .add("empty", Dtype.F32, Shape.of(0, 3), 6)
                .add("steps", Dtype.I64, Shape.of(2), 7)
                .add("flags", Dtype.BOOL, Shape.of(5), 8)
                .add("bytes", Dtype.U8, Shape.of(3), 9)
                .add("i8", Dtype.I8, Shape.of(2), 10)
                .add("i16", Dtype.I16, Shape.of(2), 11)
                .add("i32", Dtype.I32, Shape.of(2), 12)
                .add("u16", Dtype.U16, Shape.of(2), 13)
                .add("u32", Dtype.U32, Shape.of(2), 14)
                .add("u64", Dtype.U64, Shape.of(1), 15)
                .add("c", Dtype.C64, Shape.of(1), 16)
                .add("f8", Dtype.F8_E4M3FN, Shape.of(4), 17)
                .add("f8b", Dtype.F8_E5M2, Shape.of(2), 18)
                .add("f8c", Dtype.F8_E4M3FNUZ, Shape.of(2), 19)
                .add("f8d", Dtype.F8_E5M2FNUZ, Shape.of(2), 20)
                .add("f8e", Dtype.F8_E8M0FNU, Shape.of(3), 21)
                .add("\u00e9t\u00e9", Dtype.F32, Shape.of(1), 22)
                .add("\uffff", Dtype.F32, Shape.of(1), 23)
                .add("\uD83D\uDE00", Dtype.F32, Shape.of(1), 24)
                .add("ctl\n\t\"\\/\u0001\u007f", Dtype.F32, Shape.of(1), 25)
                .add("", Dtype.F32, Shape.of(1), 26);
    }

    @Test
    void sameBytesAsTheReferenceWriter() throws Exception {
        Path out = dir.resolve("mixed.safetensors");
        mixed().writeAll(writer, out, WriteOptions.DEFAULTS);
        assertArrayEquals(Fixtures.resource("mixed.safetensors"), Files.readAllBytes(out));
    }

    @Test
    void sameBytesWhateverTheInputOrder() throws Exception {
        Tensors reversed = new Tensors();
        Tensors m = mixed();
        List<TensorSpec> specs = new ArrayList<>(m.specs());
        java.util.Collections.reverse(specs);
        for (TensorSpec s : specs) {
            reversed.add(s.name(), s.dtype(), s.shape(), m.bytes(s.name()));
        }
        Path out = dir.resolve("reversed.safetensors");
        reversed.writeAll(writer, out, WriteOptions.DEFAULTS);
        assertArrayEquals(Fixtures.resource("mixed.safetensors"), Files.readAllBytes(out));
    }

    @Test
    void headerOffsetsTileTheBuffer() throws Exception {
        Path out = dir.resolve("m.safetensors");
        mixed().writeAll(writer, out, WriteOptions.DEFAULTS.withMetadata("note", "x"));
        byte[] file = Files.readAllBytes(out);
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\",\"note\":\"x\"},"), header);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(header);
        long expect = 0;
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<Object> offsets = (List<Object>) ((Map<String, Object>) e.getValue()).get("data_offsets");
            assertEquals(expect, offsets.get(0), e.getKey());
            expect = (Long) offsets.get(1);
        }
        assertEquals(file.length, 8 + n + expect);
    }

    @Test
    void withoutMetadataNothingButFormat() throws Exception {
        // The reference writes no __metadata__ when given None; we always write format=pt, so
        // compare the data part and the header shape only.
        Path out = dir.resolve("x.safetensors");
        new Tensors().add("x", Dtype.F32, Shape.of(2), 1).writeAll(writer, out, WriteOptions.DEFAULTS);
        String header = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
        assertTrue(header.contains("{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"));
        byte[] ref = Fixtures.resource("no-metadata.safetensors");
        byte[] ours = Files.readAllBytes(out);
        assertArrayEquals(java.util.Arrays.copyOfRange(ref, ref.length - 8, ref.length),
                java.util.Arrays.copyOfRange(ours, ours.length - 8, ours.length));
    }

    @Test
    void noTensorsAtAll() throws Exception {
        Path out = dir.resolve("none.safetensors");
        new Tensors().writeAll(writer, out, WriteOptions.DEFAULTS);
        byte[] b = Files.readAllBytes(out);
        assertEquals(" \0\0\0\0\0\0\0{\"__metadata__\":{\"format\":\"pt\"}}", new String(b, StandardCharsets.UTF_8));
    }

    @Test
    void refusesWhatItCannotHold() {
        WriteOptions o = WriteOptions.DEFAULTS;
        assertEquals("safetensors has no complex128 type",
                writer.refuse(new TensorSpec("z", Dtype.C128, Shape.of(2)), o).orElseThrow());
        assertTrue(writer.refuse(new TensorSpec("z", Dtype.C32, Shape.of(2)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("q", Dtype.QINT8, Shape.of(2)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("q", Dtype.I8, Shape.of(2),
                new Quantization("per_tensor_affine", List.of(0.1), List.of(0L), -1)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("p", Dtype.F4_E2M1FN_X2, Shape.of(2)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("__metadata__", Dtype.F32, Shape.of(2)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("bad\uD800", Dtype.F32, Shape.of(2)), o).isPresent());
        assertTrue(writer.refuse(new TensorSpec("ok", Dtype.F8_E8M0FNU, Shape.of(2)), o).isEmpty());
    }

    @Test
    void beginRefusesComplex128ByName() throws Exception {
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("c.safetensors")), WriteOptions.DEFAULTS)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> s.begin(WritePlan.of(List.of(new TensorSpec("ok", Dtype.F32, Shape.of(1)), new TensorSpec("z", Dtype.C128, Shape.of(2))), Map.of())));
            assertEquals(CheckpointException.Reason.UNSUPPORTED, e.reason());
            assertEquals("tensor 'z': safetensors has no complex128 type", e.getMessage());
            assertThrows(IllegalStateException.class, s::finish);
        }
    }

    @Test
    void callOrderIsEnforced() throws Exception {
        TensorSpec a = new TensorSpec("a", Dtype.F32, Shape.of(1));
        TensorSpec b = new TensorSpec("b", Dtype.F32, Shape.of(1));
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("o.safetensors")), WriteOptions.DEFAULTS)) {
            assertThrows(IllegalStateException.class, () -> s.write(a, new ArraySource(new byte[4])));
            assertThrows(IllegalStateException.class, s::finish);
            assertEquals(List.of(a, b), s.begin(WritePlan.of(List.of(b, a), Map.of())));
            assertThrows(IllegalStateException.class, () -> s.begin(WritePlan.of(List.of(a), Map.of())));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> s.write(b, new ArraySource(new byte[4])));
            assertTrue(e.getMessage().contains("'a' is next"), e.getMessage());
        }
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("p.safetensors")), WriteOptions.DEFAULTS)) {
            s.begin(WritePlan.of(List.of(a, b), Map.of()));
            s.write(a, new ArraySource(new byte[4]));
            IllegalStateException e = assertThrows(IllegalStateException.class, s::finish);
            assertTrue(e.getMessage().contains("1 of 2"), e.getMessage());
        }
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("q.safetensors")), WriteOptions.DEFAULTS)) {
            assertThrows(IllegalArgumentException.class, () -> s.begin(WritePlan.of(List.of(a, a), Map.of())));
        }
    }

    @Test
    void aSourceOfTheWrongLengthIsRefusedBeforeWriting() throws Exception {
        TensorSpec a = new TensorSpec("a", Dtype.F32, Shape.of(2));
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("w.safetensors")), WriteOptions.DEFAULTS)) {
            s.begin(WritePlan.of(List.of(a), Map.of()));
            assertThrows(IllegalArgumentException.class, () -> s.write(a, new ArraySource(new byte[4])));
            assertThrows(IllegalStateException.class, () -> s.write(a, new ArraySource(new byte[8])));
        }
    }

    @Test
    void aSourceThatWritesTooLittleIsCaught() throws Exception {
        TensorSpec a = new TensorSpec("a", Dtype.F32, Shape.of(2));
        TensorSource liar = new TensorSource() {
            @Override public long byteLength() { return 8; }
            @Override public void transferTo(FileChannel out) throws IOException { out.write(ByteBuffer.allocate(5)); }
            @Override public void forEachChunk(ChunkConsumer c) throws IOException, CheckpointException {
                c.accept(ByteBuffer.allocate(5)); // small tensors are gathered through this path
            }
        };
        try (WriteSession s = writer.open(OutputTarget.direct(dir.resolve("l.safetensors")), WriteOptions.DEFAULTS)) {
            s.begin(WritePlan.of(List.of(a), Map.of()));
            CheckpointException e = assertThrows(CheckpointException.class, () -> s.write(a, liar));
            assertEquals("tensor 'a': source wrote 5 bytes, expected 8 (float32[2])", e.getMessage());
        }
    }

    @Test
    void codePointOrderIsNotJavaStringOrder() {
        TensorSpec bmp = new TensorSpec("\uffff", Dtype.F32, Shape.of(1));
        TensorSpec astral = new TensorSpec("\uD83D\uDE00", Dtype.F32, Shape.of(1));
        assertTrue(astral.name().compareTo(bmp.name()) < 0, "UTF-16 order puts U+1F600 first");
        assertEquals(List.of(bmp, astral), SafetensorsHeader.sorted(List.of(astral, bmp)));
    }

    @Test
    void namesBelowSurrogatesSortAsTheOthers() {
        // All below U+D800 (String.compareTo serves), then one name beyond: the same order either way.
        List<String> names = List.of("b", "a.w10", "a.w2", "\u00e9", "a", "A", "\ud7ff", "a.w1", "z.0");
        List<TensorSpec> specs = new java.util.ArrayList<>();
        for (String n : names) {
            specs.add(new TensorSpec(n, n.length() % 2 == 0 ? Dtype.F16 : Dtype.F32, Shape.of(1)));
        }
        List<TensorSpec> plain = SafetensorsHeader.sorted(specs);
        List<TensorSpec> expected = new java.util.ArrayList<>(specs);
        expected.sort(SafetensorsHeader.ORDER);
        assertEquals(expected, plain);
        specs.add(new TensorSpec("\uffff", Dtype.F64, Shape.of(1)));
        specs.add(new TensorSpec("\uD83D\uDE00", Dtype.F64, Shape.of(1)));
        List<TensorSpec> general = SafetensorsHeader.sorted(specs);
        assertEquals(List.of("\uffff", "\uD83D\uDE00"), List.of(general.get(0).name(), general.get(1).name()));
        assertEquals(plain, general.subList(2, general.size()));
        assertTrue(CodePoints.belowSurrogates("a\ud7ff") && !CodePoints.belowSurrogates("a\ud800"));
    }

    @Test
    void headerStringEscapingFollowsSerdeJson() {
        StringBuilder sb = new StringBuilder();
        Json.serdeString(sb, "a\"b\\c/\b\f\n\r\t\u0000\u001f\u007f\u2028\u00e9\uD83D\uDE00");
        assertEquals("\"a\\\"b\\\\c/\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\u2028\u00e9\uD83D\uDE00\"", sb.toString());
    }

    @Test
    void headerBytesEscapeAsJsonDoesInUtf8() {
        for (String name : List.of("plain.weight", "", "a\"b\\c/\b\f\n\r\t\u0000\u001f\u007f\u2028\u00e9\uD83D\uDE00",
                "\u00e9t\u00e9\n", "\\", "x\u0001")) {
            StringBuilder sb = new StringBuilder();
            Json.serdeString(sb, name);
            HeaderBytes b = new HeaderBytes(1);
            b.reserve(8);
            b.serdeString(name);
            byte[] got = bytes(b.finish(0));
            assertEquals(sb.toString(), new String(got, 8, got.length - 8, java.nio.charset.StandardCharsets.UTF_8));
        }
        HeaderBytes d = new HeaderBytes(4);
        d.reserve(8);
        for (long v : new long[] {0, 7, 10, 99, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 1234567890123L,
                1_000_000_000_000_000_007L, Long.MAX_VALUE}) {
            d.putDecimal(v);
            d.put(',');
        }
        byte[] got = bytes(d.finish(0));
        assertEquals("0,7,10,99,2147483647,2147483648,1234567890123,1000000000000000007," + Long.MAX_VALUE + ",", new String(got, 8, got.length - 8,
                java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
