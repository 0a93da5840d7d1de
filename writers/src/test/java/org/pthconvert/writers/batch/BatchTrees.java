package org.pthconvert.writers.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;
import org.pthconvert.writers.MiniJson;

/** A model zoo for batch tests, made of committed fixtures, and checks of what a batch left. */
final class BatchTrees {

    /** Good inputs, relative name -> fixture. */
    static final Map<String, String> GOOD = Map.of(
            "sample.pth", "sample.pth",
            "resnet/train_sgd.ckpt", "train_sgd.ckpt",
            "resnet/deep/tied.pth", "tied.pth",
            "vit/state_dict.pth", "state_dict.pth");
    /** Bad inputs, relative name -> hostile or fixture file. */
    static final String CORRUPT = "broken/truncated_half.pth";
    static final String HOSTILE = "vit/os_system_p2.pth";
    static final String UNSUPPORTED = "quantized.pth";

    private BatchTrees() {
    }

    /** The zoo: four good checkpoints in sub-folders, a corrupt, a hostile and an unsupported one, and noise. */
    static Path zoo(Path dir) throws IOException {
        Path zoo = dir.resolve("zoo");
        for (var e : GOOD.entrySet()) {
            copy(Fixtures.file(e.getValue()), zoo.resolve(e.getKey()));
        }
        copy(Fixtures.hostile("truncated_half.pth"), zoo.resolve(CORRUPT));
        copy(Fixtures.hostile("os_system_p2.pth"), zoo.resolve(HOSTILE));
        copy(Fixtures.file("quantized.pth"), zoo.resolve(UNSUPPORTED));
        Files.writeString(zoo.resolve("resnet/README.md"), "not a checkpoint, not matched");
        return zoo;
    }

    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }

    /** Every good output holds exactly the tensors torch sees under {@code auto}, bit for bit. */
    static void assertGoodOutputs(Path out) throws IOException {
        for (var e : GOOD.entrySet()) {
            String rel = OutputNames.outputFor(e.getKey(), ".safetensors", false);
            assertMatchesManifest(out.resolve(rel), e.getValue());
        }
    }

    static void assertMatchesManifest(Path safetensors, String fixture) throws IOException {
        Map<String, String> got = tensorHashes(safetensors);
        Map<String, String> want = new TreeMap<>();
        for (ManifestRow r : Fixtures.manifest(fixture, Fixtures.SELECT_AUTO)) {
            want.put(r.name(), r.sha256());
        }
        assertEquals(want, got, safetensors.toString());
    }

    /** name -> SHA-256 of its bytes, read straight from the safetensors layout. */
    @SuppressWarnings("unchecked")
    static Map<String, String> tensorHashes(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int n = Math.toIntExact(ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        Map<String, Object> header = (Map<String, Object>) MiniJson.parse(new String(all, 8, n, StandardCharsets.UTF_8));
        Map<String, String> out = new TreeMap<>();
        for (var e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            List<Object> offsets = (List<Object>) ((Map<String, Object>) e.getValue()).get("data_offsets");
            int begin = Math.toIntExact((Long) offsets.get(0));
            int end = Math.toIntExact((Long) offsets.get(1));
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(all, 8 + n + begin, end - begin);
                out.put(e.getKey(), Fixtures.hex(md.digest()));
            } catch (NoSuchAlgorithmException ex) {
                throw new AssertionError(ex);
            }
        }
        return out;
    }

    /** Names of temporaries ({@code .x.tmp}) anywhere under {@code dir}. */
    static List<String> temps(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    /** Modification times of every file under {@code dir}, to see that a rerun wrote nothing. */
    static Map<String, Long> times(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                out.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }
}
