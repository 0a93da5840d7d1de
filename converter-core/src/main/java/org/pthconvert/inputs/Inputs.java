package org.pthconvert.inputs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.Containers;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * Recognises the assembled inputs from their content: a folder holding a DCP {@code .metadata}
 * pickle, a folder or file that is a sharded checkpoint index (JSON with a {@code weight_map}), a
 * file that starts with a safetensors header, a folder without an index whose weights are one
 * {@code model.safetensors} or {@code pytorch_model.bin} (names select the candidate; its content
 * must then be what the name says). Anything else is left to the torch.save readers.
 *
 * <p>A folder with both single files is read from {@code model.safetensors}, as transformers'
 * {@code from_pretrained} does (Hugging Face repositories ship both with the same weights), with a
 * warning naming the other file.
 */
public final class Inputs {
    /** Index files larger than this are not indexes (a 70B model's index is ~100 KB). */
    static final long MAX_INDEX_BYTES = 64L << 20;

    private Inputs() {
    }

    /**
     * Opens {@code file} as whatever it is: one of the assembled inputs, else the container torch.load
     * would read ({@link Containers#open(Path)}). {@code shards} reads a sharded folder's torch.save shards.
     */
    public static CheckpointContainer open(Path file, ShardReader shards) throws CheckpointException {
        CheckpointContainer assembled = openIfAssembled(file, shards);
        return assembled != null ? assembled : Containers.open(file);
    }

    /**
     * Opens {@code file} if it is one of the assembled inputs; returns null when it is not (a
     * torch.save file, or anything the caller explains). A folder that is none of them is refused here.
     * {@code shards} reads a sharded folder's torch.save shards.
     */
    public static CheckpointContainer openIfAssembled(Path file, ShardReader shards) throws CheckpointException {
        try {
            if (Files.isDirectory(file)) {
                return openFolder(file, shards);
            }
            if (!Files.isRegularFile(file)) {
                return null;
            }
            byte[] head = head(file, 16);
            if (head.length >= 9 && SafetensorsFile.looksLike(head, Files.size(file))) {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                try {
                    return SafetensorsInput.open(file, ch);
                } catch (CheckpointException | IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
            }
            if (startsLikeJson(file)) {
                ShardedFolder.Index index = ShardedFolder.readIndex(file, MAX_INDEX_BYTES);
                if (index != null) {
                    return ShardedFolder.open(file, index, shards);
                }
            }
            return null;
        } catch (NoSuchFileException e) {
            throw CheckpointException.of(Reason.IO, "no such file: " + e.getFile()).inFile(file).causedBy(e);
        } catch (IOException e) {
            throw CheckpointException.of(Reason.IO, "cannot read: " + e.getMessage()).inFile(file).causedBy(e);
        }
    }

    private static CheckpointContainer openFolder(Path folder, ShardReader shards) throws IOException, CheckpointException {
        Path metadata = folder.resolve(".metadata");
        if (Files.isRegularFile(metadata)) {
            byte[] head = head(metadata, 2);
            if (head.length == 2 && (head[0] & 0xff) == 0x80) {
                return DcpFolder.open(folder);
            }
            throw CheckpointException.of(Reason.INVALID, "this folder has a .metadata file that is not a pickle, so it is no torch.distributed.checkpoint").inFile(folder).at(".metadata", 0);
        }
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, "*.index.json")) {
            ds.forEach(candidates::add);
        }
        candidates.sort(null);
        for (Path p : candidates) {
            if (Files.isRegularFile(p) && startsLikeJson(p)) {
                ShardedFolder.Index index = ShardedFolder.readIndex(p, MAX_INDEX_BYTES);
                if (index != null) {
                    return ShardedFolder.open(folder, index, shards);
                }
            }
        }
        Path st = folder.resolve(SINGLE_SAFETENSORS);
        Path bin = folder.resolve(SINGLE_BIN);
        if (Files.isRegularFile(st)) {
            return singleSafetensors(st, Files.isRegularFile(bin));
        }
        if (Files.isRegularFile(bin)) {
            CheckpointContainer inner = open(bin, shards);
            // a safetensors file under that name is read as what it is
            return inner instanceof AssembledInput ? inner : new FolderFile(inner, List.of());
        }
        throw CheckpointException.of(Reason.INVALID, "this is a directory, but neither a torch.distributed.checkpoint folder (no .metadata), a sharded"
                + " checkpoint (no *.index.json with a weight_map), nor a folder with one " + SINGLE_SAFETENSORS + " or "
                + SINGLE_BIN + "; give the checkpoint file inside it").inFile(folder);
    }

    static final String SINGLE_SAFETENSORS = "model.safetensors";
    static final String SINGLE_BIN = "pytorch_model.bin";

    private static CheckpointContainer singleSafetensors(Path st, boolean binToo) throws IOException, CheckpointException {
        byte[] head = head(st, 16);
        if (head.length < 9 || !SafetensorsFile.looksLike(head, Files.size(st))) {
            throw CheckpointException.of(Reason.INVALID, "this folder's " + SINGLE_SAFETENSORS
                    + " does not start with a safetensors header").inFile(st).at(SafetensorsFile.HEADER, 0);
        }
        FileChannel ch = FileChannel.open(st, StandardOpenOption.READ);
        AssembledContainer c;
        try {
            c = SafetensorsInput.open(st, ch, CheckpointContainer.Format.FOLDER_SAFETENSORS);
        } catch (CheckpointException | IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (binToo) {
            c.warn("the folder also holds " + SINGLE_BIN + "; " + SINGLE_SAFETENSORS
                    + " was read (as transformers does), the other file was not");
        }
        return c;
    }

    /** True when the channel's file starts with a safetensors header length and '{'. */
    static boolean isSafetensors(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(9);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // fill
        }
        return b.position() == 9 && SafetensorsFile.looksLike(b.array(), ch.size());
    }

    private static boolean startsLikeJson(Path file) throws IOException {
        byte[] h = head(file, 64);
        int i = h.length >= 3 && (h[0] & 0xff) == 0xef && (h[1] & 0xff) == 0xbb && (h[2] & 0xff) == 0xbf ? 3 : 0;
        while (i < h.length && Character.isWhitespace(h[i])) {
            i++;
        }
        return i < h.length && h[i] == '{';
    }

    private static byte[] head(Path file, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill
            }
            return Arrays.copyOf(b.array(), b.position());
        }
    }
}
