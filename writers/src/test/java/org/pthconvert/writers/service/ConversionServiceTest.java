package org.pthconvert.writers.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.writers.AbstractWriteSession;
import org.pthconvert.writers.Conversion;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.OutputTarget;
import org.pthconvert.writers.Progress;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriteSession;
import org.pthconvert.writers.Writers;

class ConversionServiceTest {

    @TempDir
    Path dir;

    private final ConversionService service = ConversionService.standard();

    /** Counts what a conversion reports. */
    private static final class Recorder implements Progress {
        long total = -1;
        long done;

        @Override
        public void start(long totalBytes) {
            total = totalBytes;
        }

        @Override
        public void advance(long bytes) {
            done += bytes;
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void progressEndsExactlyAtTheAnnouncedTotal() throws Exception {
        // Widened (bf16 -> f32 in npz), cast (--dtype), and plain: the bar must meet its total each time.
        for (String[] c : new String[][] {{"bf16_specials.pth", "a.npz", null}, {"train_sgd.ckpt", "b.safetensors",
                "bfloat16"}, {"sample.pth", "c.safetensors", null}}) {
            Recorder r = new Recorder();
            ConversionOptions o = ConversionOptions.defaults().withProgress(r);
            if (c[2] != null) {
                o = o.withCastTo(Dtype.parseUserName(c[2]).orElseThrow());
            }
            ConversionResult res = service.convert(ConversionRequest.of(Fixtures.file(c[0]), dir.resolve(c[1]))
                    .withOptions(o));
            assertTrue(r.total > 0, c[0]);
            assertEquals(r.total, r.done, c[0]);
            assertEquals(r.total, res.bytes(), c[0]);
        }
    }

    @Test
    void aBareTensorConvertsUnderTheFileStemOrTheGivenName() throws Exception {
        ConversionResult r = service.convert(ConversionRequest.of(Fixtures.file("bare_tensor.pt"),
                dir.resolve("t.safetensors")));
        assertEquals(1, r.tensors());
        String header = new String(Files.readAllBytes(dir.resolve("t.safetensors")), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"bare_tensor\":{\"dtype\":\"F32\",\"shape\":[3,4]"), header);
        service.convert(ConversionRequest.of(Fixtures.file("bare_tensor.pt"), dir.resolve("u.safetensors"))
                .withRootName("weight"));
        assertTrue(new String(Files.readAllBytes(dir.resolve("u.safetensors")), StandardCharsets.UTF_8)
                .contains("\"weight\":{"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> service.convert(
                ConversionRequest.of(Fixtures.file("bare_tensor.pt"), dir.resolve("v.npz")).withSelection("model")));
        assertTrue(e.getMessage().contains("one bare tensor"), e.getMessage());
    }

    @Test
    void droppedNamesTheTopLevelKeysHoldingNoSelectedTensor() throws Exception {
        // Every tensor selected (the one-pass path) and some (the sets): against sets made here.
        record Case(String file, String selection) {
        }
        for (Case c : List.of(new Case("plain_range.pth", "auto"), new Case("lightning.ckpt", "all"),
                new Case("lightning.ckpt", "auto"), new Case("sample.pth", "auto"), new Case("train_sgd.ckpt", "all"))) {
            Path in = Fixtures.file(c.file());
            Path out = dir.resolve(c.file() + "-" + c.selection() + ".npz");
            ConversionRequest request = ConversionRequest.of(in, out);
            ConversionResult r = service.convert(c.selection().equals("auto") ? request : request.withSelection(c.selection()));
            java.util.Set<String> kept = new java.util.HashSet<>();
            List<String> expected = new java.util.ArrayList<>();
            try (Checkpoint ck = Checkpoint.open(in)) {
                Selected sel = NameRules.none().apply(WeightSelector.select(ck, c.selection().equals("auto")
                        ? new Selection.Auto() : Selection.parse(c.selection())));
                sel.tensors().forEach(t -> kept.add(t.source().path().get(0)));
                ck.tensors().forEach(t -> {
                    if (!kept.contains(t.path().get(0)) && !expected.contains(t.path().get(0))) {
                        expected.add(t.path().get(0));
                    }
                });
                ck.topLevelKeys().forEach(k -> {
                    if (!kept.contains(k) && !expected.contains(k)) {
                        expected.add(k);
                    }
                });
            }
            assertEquals(expected, r.dropped(), c.toString());
        }
        assertEquals(List.of("value"), service.convert(ConversionRequest.of(Fixtures.file("plain_range.pth"),
                dir.resolve("r.safetensors"))).dropped());
    }

    @Test
    void malformedSelectionsAreRequestErrors() {
        for (String bad : new String[] {"", ".", "a..b", "model."}) {
            assertThrows(InvalidRequestException.class, () -> Selection.parse(bad), bad);
        }
    }

    @Test
    void aSelectionIsBoundToItsCheckpoint() throws Exception {
        try (Checkpoint a = Checkpoint.open(Fixtures.file("sample.pth"));
             Checkpoint b = Checkpoint.open(Fixtures.file("state_dict.pth"))) {
            Selected fromA = NameRules.none().apply(WeightSelector.select(a, new Selection.Auto()));
            assertThrows(IllegalArgumentException.class, () -> Conversion.run(b, fromA,
                    Writers.standard().byName("safetensors"), dir.resolve("x.safetensors"),
                    ConversionOptions.defaults()));
            // Both files name their first storage "0": the key alone must not be enough.
            assertThrows(IllegalArgumentException.class, () -> b.source(a.tensors().get(0).view()));
            assertEquals(List.of(), listing());
        }
    }

    @Test
    void theOutputMayNotBeTheInput() throws Exception {
        Path copy = dir.resolve("in.safetensors");
        Files.copy(Fixtures.file("sample.pth"), copy);
        assertThrows(InvalidRequestException.class, () -> service.convert(ConversionRequest.of(copy, copy)
                .withOptions(ConversionOptions.defaults().withForce(true))));
    }

    /** A writer with a sidecar whose session fails (or not) at finish. */
    private static final class SidecarWriter implements TensorWriter {
        private final boolean fail;

        SidecarWriter(boolean fail) {
            this.fail = fail;
        }

        @Override public String name() { return "sidecar"; }
        @Override public List<String> extensions() { return List.of(".side"); }
        @Override public String describe() { return "test writer with a sidecar"; }
        @Override public Optional<String> refuse(TensorSpec spec, WriteOptions opts) { return Optional.empty(); }

        @Override
        public WriteSession open(OutputTarget target, WriteOptions opts) throws IOException {
            Path data = target.sidecar(target.finalName() + ".data");
            return new AbstractWriteSession(this, opts) {
                private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

                @Override
                protected List<TensorSpec> onBegin(WritePlan plan) {
                    return plan.specs();
                }

                @Override
                protected void onWrite(TensorSpec spec, TensorSource src) throws IOException, CheckpointException {
                    src.forEachChunk(c -> {
                        byte[] b = new byte[c.remaining()];
                        c.get(b);
                        bytes.writeBytes(b);
                    });
                }

                @Override
                protected void onFinish() throws IOException {
                    Files.write(data, bytes.toByteArray());
                    Files.writeString(target.main(), "main");
                    if (fail) {
                        throw new IOException("disk full (simulated)");
                    }
                }

                @Override
                protected void onClose(boolean aborted) {
                }
            };
        }
    }

    @Test
    void sidecarsAppearWithTheMainOutputOrNotAtAll() throws Exception {
        ConversionService good = new ConversionService(Writers.of(List.of(new SidecarWriter(false))));
        ConversionResult r = good.convert(ConversionRequest.of(Fixtures.file("sample.pth"), dir.resolve("m.side")));
        assertEquals(List.of("m.side", "m.side.data"), listing());
        assertEquals(List.of("m.side.data", "m.side"),
                r.outputs().stream().map(p -> p.getFileName().toString()).toList());
        ConversionService bad = new ConversionService(Writers.of(List.of(new SidecarWriter(true))));
        assertThrows(IOException.class, () -> bad.convert(ConversionRequest.of(Fixtures.file("sample.pth"),
                dir.resolve("n.side"))));
        assertEquals(List.of("m.side", "m.side.data"), listing());
    }

    /**
     * 4 stored bytes viewed with stride 0 as 2^20 x 2^10 floats: a 4 GiB tensor from a 4-byte storage
     * is refused before any output exists, naming the tensor; with the limit off, the free-space check
     * still applies (not exercised: it depends on the disk).
     */
    @Test
    void outputsOutOfProportionToTheInputAreRefused() throws Exception {
        Path file = dir.resolve("expanded.pth");
        writeExpanded(file);
        CheckpointException e = assertThrows(CheckpointException.class, () -> service.convert(
                ConversionRequest.of(file, dir.resolve("big.safetensors"))));
        assertEquals(CheckpointException.Reason.LIMIT, e.reason());
        assertEquals("w", e.tensor());
        assertTrue(e.getMessage().contains("16 times"), e.getMessage());
        assertEquals(List.of("expanded.pth"), listing());
    }

    private static void writeExpanded(Path file) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2, '}'});
        unicode(p, "w");
        p.writeBytes("ctorch._utils\n_rebuild_tensor_v2\n(".getBytes(StandardCharsets.US_ASCII));
        p.write('(');
        unicode(p, "storage");
        p.writeBytes("ctorch\nFloatStorage\n".getBytes(StandardCharsets.US_ASCII));
        unicode(p, "0");
        unicode(p, "cpu");
        p.write(new byte[] {'K', 1, 't', 'Q', 'K', 0});
        p.write(new byte[] {'(', 'J', 0, 0, 0x10, 0, 'J', 0, 4, 0, 0, 't'});   // size (2^20, 2^10)
        p.write(new byte[] {'(', 'K', 0, 'K', 0, 't', (byte) 0x89});            // stride (0, 0), False
        p.writeBytes("ccollections\nOrderedDict\n)R".getBytes(StandardCharsets.US_ASCII));
        p.write(new byte[] {'t', 'R', 's', '.'});
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(z, "archive/data.pkl", p.toByteArray());
            stored(z, "archive/data/0", new byte[] {0, 0, (byte) 0x80, 0x3f});
            stored(z, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.write(new byte[] {(byte) b.length, 0, 0, 0}, 0, 4);
        p.writeBytes(b);
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}
