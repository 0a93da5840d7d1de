package org.pthconvert.writers.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.MiniJson;
import org.pthconvert.writers.Tensors;
import org.pthconvert.writers.WriteOptions;

class SafetensorsShardingTest {

    @TempDir
    Path dir;

    private final SafetensorsWriter writer = new SafetensorsWriter();

    private static List<String> names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).collect(Collectors.toList());
    }

    private static TensorSpec bytes(String name, long n) {
        return new TensorSpec(name, Dtype.U8, Shape.of(n));
    }

    @Test
    void splitsLikeHuggingFace() {
        // huggingface_hub's docstring example: limit 10, sizes [6, 6, 2, 6, 2, 2] -> [6], [6+2], [6+2+2].
        List<TensorSpec> in = List.of(bytes("a", 6), bytes("b", 6), bytes("c", 2), bytes("d", 6),
                bytes("e", 2), bytes("f", 2));
        List<List<TensorSpec>> shards = ShardPlan.split(in, 10);
        assertEquals(List.of(List.of("a"), List.of("b", "c"), List.of("d", "e", "f")),
                shards.stream().map(SafetensorsShardingTest::names).collect(Collectors.toList()));
    }

    @Test
    void anOversizedTensorGetsItsOwnShardAtOnce() {
        // As huggingface_hub: the big one is appended before the shard still being filled.
        List<TensorSpec> in = List.of(bytes("a", 3), bytes("big", 50), bytes("b", 3), bytes("c", 5));
        assertEquals(List.of(List.of("big"), List.of("a", "b"), List.of("c")),
                ShardPlan.split(in, 8).stream().map(SafetensorsShardingTest::names).collect(Collectors.toList()));
    }

    @Test
    void shardedLayoutAndIndex() throws Exception {
        Tensors t = new Tensors()
                .add("model.layers.0.w", Dtype.F32, Shape.of(4), 1)     // 16
                .add("model.layers.0.b", Dtype.F16, Shape.of(4), 2)     // 8
                .add("model.layers.1.w", Dtype.F32, Shape.of(4), 3)     // 16 -> new shard (24+16 > 32)
                .add("\u00fcber", Dtype.I8, Shape.of(4), 4)             // 4
                .add("scalar", Dtype.F64, Shape.SCALAR, 5);             // 8 -> 28
        Path out = Files.createDirectory(dir.resolve("out"));
        t.writeAll(writer, out, WriteOptions.DEFAULTS.withMaxShardSize(32));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                    "model.safetensors.index.json"), files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        String index = Files.readString(out.resolve("model.safetensors.index.json"), StandardCharsets.US_ASCII);
        // What json.dumps(index, indent=2, sort_keys=True) + "\n" gives:
        assertEquals("{\n"
                + "  \"metadata\": {\n"
                + "    \"total_size\": 52\n"
                + "  },\n"
                + "  \"weight_map\": {\n"
                + "    \"model.layers.0.b\": \"model-00001-of-00002.safetensors\",\n"
                + "    \"model.layers.0.w\": \"model-00001-of-00002.safetensors\",\n"
                + "    \"model.layers.1.w\": \"model-00002-of-00002.safetensors\",\n"
                + "    \"scalar\": \"model-00002-of-00002.safetensors\",\n"
                + "    \"\\u00fcber\": \"model-00002-of-00002.safetensors\"\n"
                + "  }\n"
                + "}\n", index);
        // Each shard is a complete safetensors file in the reference order.
        String second = header(out.resolve("model-00002-of-00002.safetensors"));
        assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"scalar\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"model.layers.1.w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]},"
                + "\"\u00fcber\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[24,28]}}", second.strip());
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) MiniJson.parse(index);
        assertEquals(5, ((Map<?, ?>) parsed.get("weight_map")).size());
    }

    @Test
    void everythingInOneShardIsJustModelSafetensors() throws Exception {
        Tensors t = new Tensors().add("a", Dtype.F32, Shape.of(2), 1).add("b", Dtype.F32, Shape.of(2), 2);
        Path out = Files.createDirectory(dir.resolve("one"));
        t.writeAll(writer, out, WriteOptions.DEFAULTS.withMaxShardSize(1L << 30));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("model.safetensors"), files.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
        }
        Path single = dir.resolve("single.safetensors");
        t.writeAll(writer, single, WriteOptions.DEFAULTS);
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve(ShardPlan.INDEX_FILE)));
    }

    @Test
    void fileNamesFollowTheHuggingFacePattern() {
        assertEquals("model-00001-of-00003.safetensors", ShardPlan.fileName(0, 3));
        assertEquals("model-00012-of-00012.safetensors", ShardPlan.fileName(11, 12));
        assertEquals("model.safetensors", ShardPlan.fileName(0, 1));
        assertTrue(writer.writesDirectory(WriteOptions.DEFAULTS.withMaxShardSize(1)));
        assertFalse(writer.writesDirectory(WriteOptions.DEFAULTS));
    }

    private static String header(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(b, 8, (int) n, StandardCharsets.UTF_8);
    }
}
