package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.Containers;
import org.pthconvert.archive.PickleStream;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.testdata.Fixtures.ManifestRow;

/**
 * The benign twins of the hostile parser-differential cases: files torch.load reads although a
 * naive reader would not (upper-case record names, an archive comment) still convert with the
 * manifest's tensors; their ambiguous variants are refused as ambiguous, not as dangerous, and are
 * never {@code safe} to scan; and every pickle a legacy stream holds is audited.
 */
class ParserDifferentialTest {
    private static final String FIXTURE = "state_dict.pth";

    @TempDir
    Path dir;

    private static byte[] fixture() throws Exception {
        return Files.readAllBytes(Fixtures.file(FIXTURE));
    }

    /** The fixture's record names, read from its central directory. */
    private static List<String> names(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = zip.length - 22;
        int count = b.getShort(eocd + 10) & 0xffff;
        int at = b.getInt(eocd + 16);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int nameLen = b.getShort(at + 28) & 0xffff;
            int extra = b.getShort(at + 30) & 0xffff;
            int comment = b.getShort(at + 32) & 0xffff;
            out.add(new String(zip, at + 46, nameLen, StandardCharsets.UTF_8));
            at += 46 + nameLen + extra + comment;
        }
        return out;
    }

    private static byte[] replaceAll(byte[] data, byte[] from, byte[] to) {
        byte[] out = data.clone();
        outer:
        for (int i = 0; i + from.length <= out.length; i++) {
            for (int j = 0; j < from.length; j++) {
                if (out[i + j] != from[j]) {
                    continue outer;
                }
            }
            System.arraycopy(to, 0, out, i, to.length);
        }
        return out;
    }

    private Path write(String name, byte[] data) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    private static void convertsLikeTheFixture(Path p) throws Exception {
        List<ManifestRow> rows = Fixtures.manifest(FIXTURE, Fixtures.SELECT_ALL);
        try (Checkpoint ckpt = Checkpoint.open(p)) {
            assertEquals(rows.size(), ckpt.tensors().size());
            for (int i = 0; i < rows.size(); i++) {
                TensorEntry t = ckpt.tensors().get(i);
                assertEquals(rows.get(i).name(), t.name());
                assertEquals(rows.get(i).sha256(), TensorHashes.viaChunks(ckpt.source(t.view())), t.name());
            }
        }
        ScanReport scan = Scanner.scan(p);
        assertEquals(Verdict.SAFE, scan.verdict());
        assertEquals(null, scan.error());
    }

    /** torch's zip reader ignores case: a zip whose every name is upper-cased loads the same. */
    @Test
    void upperCaseRecordNamesStillConvert() throws Exception {
        byte[] zip = fixture();
        for (String n : names(zip)) {
            zip = replaceAll(zip, n.getBytes(StandardCharsets.UTF_8),
                    n.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(names(zip).contains("STATE_DICT/DATA.PKL"), names(zip).toString());
        convertsLikeTheFixture(write("upper.pth", zip));
    }

    /** An archive comment without a signature in it is no ambiguity. */
    @Test
    void anArchiveCommentStillConverts() throws Exception {
        convertsLikeTheFixture(write("comment.pth", withComment(fixture(), "made by hand".getBytes(StandardCharsets.US_ASCII))));
    }

    private static byte[] withComment(byte[] zip, byte[] comment) {
        byte[] out = java.util.Arrays.copyOf(zip, zip.length + comment.length);
        out[zip.length - 2] = (byte) comment.length;
        out[zip.length - 1] = (byte) (comment.length >> 8);
        System.arraycopy(comment, 0, out, zip.length, comment.length);
        return out;
    }

    private static void refusedAsAmbiguous(Path p) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(p).close());
        assertEquals(Reason.INVALID, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
        ScanReport scan = Scanner.scan(p);
        assertNotEquals(Verdict.DANGEROUS, scan.verdict());
        assertNotNull(scan.error(), "an ambiguous file is unreadable, never plainly safe");
    }

    /** A copy of the end record in the comment, with a comment that also reaches the end: two readings. */
    @Test
    void aSecondEndRecordInTheCommentIsAmbiguous() throws Exception {
        byte[] zip = fixture();
        byte[] copy = java.util.Arrays.copyOfRange(zip, zip.length - 22, zip.length);
        refusedAsAmbiguous(write("two_ends.pth", withComment(zip, copy)));
        // torch takes the last signature even when its comment length overshoots the file
        byte[] overshoot = copy.clone();
        overshoot[20] = 9;
        refusedAsAmbiguous(write("overshoot.pth", withComment(zip, overshoot)));
    }

    /** Names equal once case is folded: benign, but torch may read either, so refused as ambiguous. */
    @Test
    void caseFoldedDuplicateOfABenignRecordIsAmbiguous() throws Exception {
        byte[] zip = fixture();
        String version = names(zip).stream().filter(n -> n.endsWith("/version")).findFirst().orElseThrow();
        byte[] upper = replaceAll(zip, version.getBytes(StandardCharsets.UTF_8),
                version.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        // one record renamed in the central directory only: the local header then disagrees, which is
        // refused as corrupt; rename both and append the original as a second entry instead
        Path p = write("dup.pth", appendRecord(upper, version, "3\n".getBytes(StandardCharsets.US_ASCII)));
        refusedAsAmbiguous(p);
    }

    /** Rebuilds the zip's central directory with one more stored record (placed before it). */
    private static byte[] appendRecord(byte[] zip, String name, byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = zip.length - 22;
        int count = b.getShort(eocd + 10) & 0xffff;
        int cdSize = b.getInt(eocd + 12);
        int cdOff = b.getInt(eocd + 16);
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        ByteBuffer local = ByteBuffer.allocate(30 + nameBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putInt(0)
                .putInt((int) crc.getValue()).putInt(data.length).putInt(data.length)
                .putShort((short) nameBytes.length).putShort((short) 0).put(nameBytes).put(data);
        ByteBuffer central = ByteBuffer.allocate(46 + nameBytes.length).order(ByteOrder.LITTLE_ENDIAN);
        central.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 0)
                .putInt(0).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length)
                .putShort((short) nameBytes.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putInt(0).putInt(cdOff).put(nameBytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(zip, 0, cdOff);
        out.writeBytes(local.array());
        out.write(zip, cdOff, cdSize);
        out.writeBytes(central.array());
        ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) (count + 1))
                .putShort((short) (count + 1)).putInt(cdSize + central.capacity()).putInt(cdOff + local.capacity())
                .putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    /** torch.load unpickles the magic number, protocol, sys_info, main pickle and key list: all are audited. */
    @Test
    void everyPickleOfALegacyStreamIsAudited() throws Exception {
        try (CheckpointContainer c = Containers.open(Fixtures.file("legacy.pth"))) {
            List<String> records = c.pickles().stream().map(PickleStream::record).toList();
            assertEquals(List.of("main pickle", "magic number pickle", "protocol pickle", "sys_info pickle",
                    "storage key list"), records);
        }
    }

    /** A benign bare pickle is audited, then refused as what it is, and scans as unreadable, not dangerous. */
    @Test
    void aBenignPickleIsRefusedAfterItsAudit() throws Exception {
        Path p = write("bare.pkl", new byte[] {'N', '.'});
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(p).close());
        assertTrue(e.getMessage().contains("not a PyTorch checkpoint"), e.getMessage());
        ScanReport scan = Scanner.scan(p);
        assertEquals(Verdict.SAFE, scan.verdict());
        assertNotNull(scan.error());
    }

    /** The twin of legacy_view_overflow.pt: the same tensor over a storage view of 4 elements converts. */
    @Test
    void aTensorInsideItsLegacyViewConverts() throws Exception {
        byte[] hostile = Files.readAllBytes(Fixtures.hostile("legacy_view_overflow.pt"));
        byte[] view = {'X', 1, 0, 0, 0, '1', 'K', 2, 'K', 2, 't'};
        byte[] wider = {'X', 1, 0, 0, 0, '1', 'K', 2, 'K', 4, 't'};
        byte[] twin = replaceAll(hostile, view, wider);
        assertNotEquals(java.util.Arrays.toString(hostile), java.util.Arrays.toString(twin));
        try (Checkpoint ckpt = Checkpoint.open(write("view.pt", twin))) {
            TensorEntry t = ckpt.tensors().get(0);
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            ckpt.source(t.view()).forEachChunk(chunk -> b.put(chunk));
            b.flip();
            assertEquals(List.of(2f, 3f, 4f, 5f), List.of(b.getFloat(), b.getFloat(), b.getFloat(), b.getFloat()));
        }
    }

    /** A legacy id carries a class's whole source: an error naming the id prints a short line. */
    @Test
    void anErrorNeverPrintsClassSource() throws Exception {
        byte[] model = Files.readAllBytes(Fixtures.hostile("legacy_whole_model.pt"));
        byte[] tag = {'X', 6, 0, 0, 0, 'm', 'o', 'd', 'u', 'l', 'e'};
        byte[] other = {'X', 6, 0, 0, 0, 'm', 'o', 'd', 'u', 'l', 'f'};
        Path p = write("model.pt", replaceAll(model, tag, other));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(p).close());
        assertTrue(e.getMessage().length() < 400 && !e.getMessage().contains("\n"), e.getMessage());
    }
}
