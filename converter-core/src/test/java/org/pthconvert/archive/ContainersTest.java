package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

class ContainersTest {
    @TempDir
    Path dir;

    private CheckpointException fails(byte[] content, Reason reason, String phrase) throws IOException {
        Path p = dir.resolve("x.pth");
        Files.write(p, content);
        CheckpointException e = Refusals.of(p);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(p, e.file());
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
        return e;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void emptyFile() throws Exception {
        fails(new byte[0], Reason.INVALID, "the file is empty");
    }

    @Test
    void gitLfsPointer() throws Exception {
        fails(ascii("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 548118077\n"),
                Reason.INVALID, "this is a Git LFS pointer, not the weights; run git lfs pull");
    }

    @Test
    void htmlPages() throws Exception {
        fails(ascii("<!DOCTYPE html>\n<html><head><title>404</title>"), Reason.INVALID,
                "this is an HTML page, not a checkpoint (a failed download?)");
        fails(ascii("\u00ef\u00bb\u00bf  \n<html lang=en>"), Reason.INVALID, "HTML page");
        fails(ascii("<!doctype html>"), Reason.INVALID, "HTML page");
        fails(ascii("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>"), Reason.INVALID, "XML");
        fails(ascii("{\"error\":\"Access to model is restricted\"}"), Reason.INVALID, "JSON");
    }

    @Test
    void safetensorsFile() throws Exception {
        byte[] header = ascii("{\"__metadata__\":{\"format\":\"pt\"}}");
        byte[] st = new byte[8 + header.length];
        st[0] = (byte) header.length;
        System.arraycopy(header, 0, st, 8, header.length);
        // A safetensors file is an input of its own since issue 16 (org.pthconvert.inputs), which
        // Inputs.open recognises before it hands a file to Containers.
        Path p = dir.resolve("x.safetensors");
        Files.write(p, st);
        try (CheckpointContainer c = org.pthconvert.inputs.Inputs.open(p, shard -> { throw new AssertionError(shard); })) {
            assertEquals(CheckpointContainer.Format.SAFETENSORS, c.format());
        }
    }

    @Test
    void oldTarFormat() throws Exception {
        byte[] tar = new byte[1024];
        System.arraycopy(ascii("sys_info"), 0, tar, 0, 8);
        System.arraycopy(ascii("ustar\u000000"), 0, tar, 257, 8);
        fails(tar, Reason.INVALID, "not a PyTorch checkpoint"); // tarfile refuses a header without its checksum
        TarFiles.checksum(tar, 0);
        fails(tar, Reason.UNSUPPORTED, "old tar checkpoint format");
    }

    /** A bare pickle opens only so that its pickle can be audited; then it is refused as what it is. */
    @Test
    void plainPickleIsNotACheckpoint() throws Exception {
        bare(new byte[] {(byte) 0x80, 4, (byte) 0x95, 5, 0, 0, 0, 0, 0, 0, 0, '}', (byte) 0x94, '.'},
                "not a PyTorch checkpoint");
        bare(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '.'},
                "lacks torch's magic number");
        bare(ascii("(S'ls'\nios\nsystem\n."), "not a PyTorch checkpoint (it starts with bytes 28 53");
        fails(new byte[] {(byte) 0x80, 9, '.'}, Reason.INVALID, "lacks torch's magic number");
    }

    private void bare(byte[] content, String phrase) throws Exception {
        Path p = dir.resolve("bare.pth");
        Files.write(p, content);
        try (CheckpointContainer c = Containers.open(p)) {
            BarePickleContainer b = assertInstanceOf(BarePickleContainer.class, c);
            assertEquals(Reason.INVALID, b.notACheckpoint().reason());
            assertTrue(b.notACheckpoint().getMessage().contains(phrase), b.notACheckpoint().getMessage());
            assertEquals(content.length, c.openPickle().readAllBytes().length);
            assertThrows(CheckpointException.class, () -> c.storage("0", java.util.Map.of()));
        }
    }

    @Test
    void otherFormats() throws Exception {
        fails(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Reason.INVALID, "NumPy");
        fails(ascii("GGUF\u0003\u0000\u0000\u0000"), Reason.INVALID, "GGUF");
        fails(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, Reason.INVALID, "HDF5");
        fails(new byte[] {0x1f, (byte) 0x8b, 8, 0}, Reason.INVALID, "gzip");
        CheckpointException e = fails(ascii("hello world"), Reason.INVALID, "not a PyTorch checkpoint");
        assertTrue(e.getMessage().contains("68 65 6c 6c 6f"), e.getMessage());
    }

    @Test
    void missingFileAndDirectory() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Containers.open(dir.resolve("nope.pt")));
        assertEquals(Reason.IO, e.reason());
        CheckpointException d = assertThrows(CheckpointException.class, () -> Containers.open(dir));
        assertTrue(d.getMessage().contains("directory"));
    }

    @Test
    void zipGoesToZipContainer() throws Exception {
        Path p = dir.resolve("sd.pt");
        Files.write(p, ZipContainerTest.torchLike("sd", new byte[4], new byte[4]).build().bytes);
        try (CheckpointContainer c = Containers.open(p)) {
            assertTrue(c instanceof ZipContainer);
            assertEquals(CheckpointContainer.Format.ZIP, c.format());
        }
        Path trunc = dir.resolve("t.pt");
        Files.write(trunc, java.util.Arrays.copyOf(Files.readAllBytes(p), 200));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Containers.open(trunc));
        assertTrue(e.getMessage().contains("central directory not found"), e.getMessage());
    }

    @Test
    void torchMagicIsRecognisedInEveryProtocol() throws Exception {
        byte[] p2 = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
            (byte) 0xa8, 0x50, 0x19, '.'};
        assertEquals(Containers.Kind.LEGACY, Containers.sniff(null, p2));
        byte[] p4 = {(byte) 0x80, 4, (byte) 0x95, 13, 0, 0, 0, 0, 0, 0, 0, (byte) 0x8a, 10, 0x6c, (byte) 0xfc,
            (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
        assertEquals(Containers.Kind.LEGACY, Containers.sniff(null, p4));
        assertEquals(Containers.Kind.LEGACY, Containers.sniff(null, ascii("L119547037146038801333356L\n.")));
    }
}
