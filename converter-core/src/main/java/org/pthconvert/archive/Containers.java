package org.pthconvert.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * Opens the right {@link CheckpointContainer} for a file by looking at its first bytes, or says in
 * one line what the file is instead: empty, a Git LFS pointer, an HTML or JSON page (a failed
 * download), a safetensors / NumPy / GGUF / HDF5 / gzip file, torch's pre-1.0 tar format, or a
 * pickle that is not torch's.
 */
public final class Containers {
    private static final int HEAD = 512;
    /** torch's legacy magic number 0x1950a86a20f9469cfc6c, little-endian, as pickle's LONG1 carries it. */
    private static final byte[] MAGIC_LONG1 = {(byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
        0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
    private static final byte[] MAGIC_TEXT = "L119547037146038801333356L\n.".getBytes(StandardCharsets.US_ASCII);

    private Containers() {
    }

    /** What the first bytes say a file is. */
    enum Kind { ZIP, LEGACY, PICKLE }

    /** Opens {@code file} for positional reads, turning the usual failures into one-line errors. */
    static FileChannel openChannel(Path file) throws CheckpointException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(Reason.IO, file, null, -1, null, "no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(Reason.IO, file, null, -1, null, "cannot open: " + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code file} as a zip or legacy checkpoint, or explains in one line why it is neither.
     * A bare Python pickle without torch's magic number is no checkpoint, but torch.load would still
     * unpickle it (as the first pickle of the legacy format) and run what it calls: it opens as a
     * {@link BarePickleContainer}, so that its pickle is audited before it is refused.
     */
    public static CheckpointContainer open(Path file) throws CheckpointException {
        byte[] head = head(file);
        return switch (sniff(file, head)) {
            case ZIP -> ZipContainer.open(file);
            case LEGACY -> LegacyContainer.open(file);
            case PICKLE -> BarePickleContainer.open(file, notAPickleCheckpoint(file, head));
        };
    }

    /**
     * Opens a checkpoint from a channel that is not a local file (a file read in place on a remote
     * file system); {@code name} is the file that errors name. A {@link FileChannel} is used as it is.
     * The container owns the channel from here on: it is closed with the container, or at once when
     * opening fails.
     */
    public static CheckpointContainer open(SeekableByteChannel channel, Path name) throws CheckpointException {
        FileChannel ch = channel instanceof FileChannel f ? f : new ReadOnlyFileChannel(channel);
        byte[] head;
        Kind kind;
        try {
            head = head(ch, name);
            kind = sniff(name, head);
        } catch (CheckpointException e) {
            closeQuietly(ch);
            throw e;
        }
        return switch (kind) {
            case ZIP -> ZipContainer.open(name, ch);
            case LEGACY -> LegacyContainer.open(name, ch);
            case PICKLE -> BarePickleContainer.open(name, ch, notAPickleCheckpoint(name, head));
        };
    }

    private static byte[] head(FileChannel ch, Path name) throws CheckpointException {
        try {
            ByteBuffer buf = ByteBuffer.allocate(HEAD);
            while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
                // fill what the file has
            }
            return Arrays.copyOf(buf.array(), buf.position());
        } catch (IOException e) {
            throw new CheckpointException(Reason.IO, name, null, -1, null, "cannot read: " + e.getMessage(), e);
        }
    }

    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing with a better message
        }
    }

    /** Why a bare pickle is refused once it has been audited. */
    private static CheckpointException notAPickleCheckpoint(Path file, byte[] head) {
        if ((head[0] & 0xff) == 0x80) {
            return not(file, "this is a Python pickle, but not a PyTorch checkpoint (it lacks torch's magic number)");
        }
        return notACheckpoint(file, head);
    }

    private static CheckpointException notACheckpoint(Path file, byte[] head) {
        return not(file, "not a PyTorch checkpoint (it starts with bytes "
                + HexFormat.ofDelimiter(" ").formatHex(head, 0, Math.min(8, head.length)) + ")");
    }

    /**
     * A pickle that torch.load would unpickle: PROTO 0-5 first, or a protocol 0/1 pickle starting
     * with MARK, GLOBAL or an empty container (text files practically never start so).
     */
    private static boolean looksLikePickle(byte[] h) {
        int b = h[0] & 0xff;
        if (b == 0x80) {
            return h.length >= 2 && h[1] >= 0 && h[1] <= 5;
        }
        return h.length >= 2 && (b == '(' || b == ']' || b == '}' || b == ')' || b == 'c' && h[1] != ' ');
    }

    private static byte[] head(Path file) throws CheckpointException {
        if (Files.isDirectory(file)) {
            throw new CheckpointException(Reason.INVALID, file, null, -1, null,
                    "this is a directory; give the checkpoint file inside it", null);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(HEAD);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // fill what the file has
            }
            return Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            throw new CheckpointException(Reason.IO, file, null, -1, null, "no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(Reason.IO, file, null, -1, null, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Classifies {@code head} (the file's first bytes); throws the one-line explanation for anything
     * that is not a checkpoint this tool reads.
     */
    static Kind sniff(Path file, byte[] head) throws CheckpointException {
        if (head.length == 0) {
            throw not(file, "the file is empty (0 bytes)");
        }
        if (startsWith(head, 0, "PK\u0003\u0004") || startsWith(head, 0, "PK\u0005\u0006")) {
            return Kind.ZIP;
        }
        if (isTorchMagic(head)) {
            return Kind.LEGACY;
        }
        if ((head[0] & 0xff) == 0x80 && !looksLikePickle(head)) {
            throw not(file, "this is a Python pickle, but not a PyTorch checkpoint (it lacks torch's magic number)");
        }
        String text = new String(head, 0, Math.min(head.length, 64), StandardCharsets.ISO_8859_1);
        if (text.startsWith("version https://git-lfs.github.com/spec/")) {
            throw not(file, "this is a Git LFS pointer, not the weights; run git lfs pull");
        }
        if (startsWith(head, 257, "ustar")) {
            throw new CheckpointException(Reason.UNSUPPORTED, file, null, -1, null,
                    "this is torch's old tar checkpoint format (torch < 1.0), which is not supported;"
                    + " re-save it with a newer torch", null);
        }
        if (isSafetensors(head)) {
            throw not(file, "this is already a safetensors file, not a PyTorch checkpoint");
        }
        String lead = stripLead(text).toLowerCase(Locale.ROOT);
        if (lead.startsWith("<!doctype html") || lead.startsWith("<html") || lead.startsWith("<head")) {
            throw not(file, "this is an HTML page, not a checkpoint (a failed download?)");
        }
        if (lead.startsWith("<?xml")) {
            throw not(file, "this is an XML document, not a checkpoint (an error page from a download?)");
        }
        if (lead.startsWith("{")) {
            throw not(file, "this is a JSON document, not a checkpoint (an error response from a download?)");
        }
        if (startsWith(head, 0, "\u0093NUMPY")) {
            throw not(file, "this is a NumPy .npy file, not a PyTorch checkpoint");
        }
        if (startsWith(head, 0, "GGUF")) {
            throw not(file, "this is a GGUF (llama.cpp) file, not a PyTorch checkpoint");
        }
        if (startsWith(head, 0, "\u0089HDF\r\n\u001a\n")) {
            throw not(file, "this is an HDF5 file (Keras?), not a PyTorch checkpoint");
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            throw not(file, "this file is gzip-compressed; decompress it first");
        }
        if (looksLikePickle(head)) {
            return Kind.PICKLE;
        }
        throw notACheckpoint(file, head);
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
        return new CheckpointException(Reason.INVALID, file, null, -1, null, detail, null);
    }
}
