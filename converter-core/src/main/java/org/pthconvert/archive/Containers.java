package org.pthconvert.archive;

import java.io.IOException;
import java.nio.ByteBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.ByteSource;

/**
 * Opens the right {@link CheckpointContainer} for a file by looking at its first bytes, as
 * torch.load decides: {@code PK\3\4} is a zip; a first block that Python's {@code tarfile} accepts
 * is torch's pre-1.0 tar format; <em>anything else</em> goes to {@code pickle.load}, whatever its
 * first byte (a legacy stream, a bare pickle, or a page that only looks like one). So a file that
 * is not a checkpoint (empty, a Git LFS pointer, an HTML or JSON page, a safetensors / NumPy / GGUF
 * / HDF5 / gzip file, a pickle without torch's magic number) is not refused here: it opens with
 * its friendly one-line explanation as {@link CheckpointContainer#deferredRefusal()}, so that the
 * pickle torch would run is audited first.
 */
public final class Containers {
    private static final int HEAD = 512;
    /** torch's legacy magic number 0x1950a86a20f9469cfc6c, little-endian, as pickle's LONG1 carries it. */
    private static final byte[] MAGIC_LONG1 = {(byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
        0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
    private static final byte[] MAGIC_TEXT = "L119547037146038801333356L\n.".getBytes(StandardCharsets.US_ASCII);

    private Containers() {
    }

    /** What the first bytes say a file is, as torch.load decides. */
    enum Kind { ZIP, TAR, LEGACY, PICKLE }

    /** Opens {@code file} for positional reads, turning the usual failures into one-line errors. */
    public static ByteSource openSource(Path file) throws CheckpointException {
        if (Files.isDirectory(file)) {
            throw CheckpointException.of(Reason.INVALID, "this is a directory; give the checkpoint file inside it").inFile(file);
        }
        try {
            return ByteSource.open(file);
        } catch (NoSuchFileException e) {
            throw CheckpointException.of(Reason.IO, "no such file").inFile(file).causedBy(e);
        } catch (IOException e) {
            throw CheckpointException.of(Reason.IO, "cannot open: " + e.getMessage()).inFile(file).causedBy(e);
        }
    }

    /**
     * Opens {@code file} as {@link #open(ByteSource)} does: as torch.load reads a file. Folders,
     * safetensors files and sharded-folder indexes are the {@code inputs} package's ({@code Inputs.open}).
     */
    public static CheckpointContainer open(Path file) throws CheckpointException {
        return open(openSource(file));
    }

    /**
     * Opens {@code source} as the container torch.load would read it as; the container owns the
     * source from then on (closes it, also when this fails). Only an empty source is refused at once
     * (torch.load unpickles nothing from it); see the class comment for everything else.
     */
    public static CheckpointContainer open(ByteSource source) throws CheckpointException {
        Path file = source.path();
        byte[] head;
        try {
            head = head(source);
        } catch (CheckpointException e) {
            closeQuietly(source);
            throw e;
        }
        Kind kind;
        try {
            kind = sniff(file, head);
        } catch (CheckpointException e) {
            closeQuietly(source);
            throw e;
        }
        return switch (kind) {
            case ZIP -> ZipContainer.open(source);
            case TAR -> TarContainer.open(source);
            case LEGACY -> LegacyContainer.open(source, null);
            case PICKLE -> LegacyContainer.open(source, notACheckpoint(file, head));
        };
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already failing with a better message
        }
    }

    /** Why a file that torch.load would unpickle, but that is no torch checkpoint, is refused after its audit. */
    static CheckpointException notACheckpoint(Path file, byte[] head) {
        String text = new String(head, 0, Math.min(head.length, 64), StandardCharsets.ISO_8859_1);
        if (text.startsWith("version https://git-lfs.github.com/spec/")) {
            return not(file, "this is a Git LFS pointer, not the weights; run git lfs pull");
        }
        if (isSafetensors(head)) {
            return not(file, "this is already a safetensors file, not a PyTorch checkpoint");
        }
        String lead = stripLead(text).toLowerCase(Locale.ROOT);
        if (lead.startsWith("<!doctype html") || lead.startsWith("<html") || lead.startsWith("<head")) {
            return not(file, "this is an HTML page, not a checkpoint (a failed download?)");
        }
        if (lead.startsWith("<?xml")) {
            return not(file, "this is an XML document, not a checkpoint (an error page from a download?)");
        }
        if (lead.startsWith("{")) {
            return not(file, "this is a JSON document, not a checkpoint (an error response from a download?)");
        }
        if (startsWith(head, 0, "\u0093NUMPY")) {
            return not(file, "this is a NumPy .npy file, not a PyTorch checkpoint");
        }
        if (startsWith(head, 0, "GGUF")) {
            return not(file, "this is a GGUF (llama.cpp) file, not a PyTorch checkpoint");
        }
        if (startsWith(head, 0, "\u0089HDF\r\n\u001a\n")) {
            return not(file, "this is an HDF5 file (Keras?), not a PyTorch checkpoint");
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return not(file, "this file is gzip-compressed; decompress it first");
        }
        if (startsWith(head, 0, "PK\u0005\u0006")) {
            return not(file, "this is an empty zip archive (it holds no records), not a PyTorch checkpoint");
        }
        if ((head[0] & 0xff) == 0x80) {
            return not(file, "this is a Python pickle, but not a PyTorch checkpoint (it lacks torch's magic number)");
        }
        return not(file, "not a PyTorch checkpoint (it starts with bytes "
                + HexFormat.ofDelimiter(" ").formatHex(head, 0, Math.min(8, head.length)) + ")");
    }

    private static byte[] head(ByteSource source) throws CheckpointException {
        try {
            ByteBuffer buf = ByteBuffer.allocate(HEAD);
            while (buf.hasRemaining() && source.read(buf.position(), buf) >= 0) {
                // fill what the source has
            }
            return Arrays.copyOf(buf.array(), buf.position());
        } catch (IOException e) {
            throw CheckpointException.of(Reason.IO, "cannot read: " + e.getMessage()).inFile(source.path()).causedBy(e);
        }
    }

    /** Classifies {@code head} (the file's first bytes) as torch.load would; only an empty file is refused. */
    static Kind sniff(Path file, byte[] head) throws CheckpointException {
        if (head.length == 0) {
            throw not(file, "the file is empty (0 bytes)");
        }
        if (startsWith(head, 0, "PK\u0003\u0004")) {
            return Kind.ZIP;
        }
        if (TarContainer.isTarHeader(head)) {
            return Kind.TAR;
        }
        return isTorchMagic(head) ? Kind.LEGACY : Kind.PICKLE;
    }

    /** A pickled int 0x1950a86a20f9469cfc6c: protocol 2/3 LONG1, 4/5 in a FRAME, or 0/1 text. */
    private static boolean isTorchMagic(byte[] h) {
        if (startsWith(h, 0, MAGIC_TEXT)) {
            return true;
        }
        if (h.length < 2 || (h[0] & 0xff) != 0x80 || h[1] < 2 || h[1] > 5) {
            return false;
        }
        int at = 2;
        if (h.length > 2 && (h[2] & 0xff) == 0x95) {
            at = 11; // FRAME + 8-byte length
        }
        return startsWith(h, at, MAGIC_LONG1);
    }

    /** An 8-byte little-endian header length, then a JSON object. */
    private static boolean isSafetensors(byte[] h) {
        if (h.length < 9 || h[8] != '{') {
            return false;
        }
        long n = ByteBuffer.wrap(h, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 1 && n < 100_000_000L;
    }

    private static String stripLead(String s) {
        int i = 0;
        if (s.startsWith("\u00ef\u00bb\u00bf")) {
            i = 3; // UTF-8 byte order mark, read as Latin-1
        }
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static boolean startsWith(byte[] h, int at, String ascii) {
        return startsWith(h, at, ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean startsWith(byte[] h, int at, byte[] prefix) {
        if (h.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (h[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static CheckpointException not(Path file, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file);
    }
}
