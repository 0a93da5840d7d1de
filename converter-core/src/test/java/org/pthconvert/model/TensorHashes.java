package org.pthconvert.model;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.testdata.Fixtures;

/** SHA-256 of a tensor's bytes, through either way a source hands them out. */
public final class TensorHashes {
    private TensorHashes() {
    }

    public static String viaChunks(TensorSource source) throws IOException, CheckpointException {
        MessageDigest md = sha256();
        long[] seen = {0};
        source.forEachChunk(chunk -> {
            seen[0] += chunk.remaining();
            md.update(chunk);
        });
        if (seen[0] != source.byteLength()) {
            throw new AssertionError("chunks gave " + seen[0] + " bytes, byteLength says " + source.byteLength());
        }
        return Fixtures.hex(md.digest());
    }

    public static String viaTransfer(TensorSource source, Path scratch) throws IOException, CheckpointException {
        try (FileChannel out = FileChannel.open(scratch, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ)) {
            source.transferTo(out);
            if (out.position() != source.byteLength()) {
                throw new AssertionError("transferTo wrote " + out.position() + " bytes, byteLength says "
                        + source.byteLength());
            }
        }
        MessageDigest md = sha256();
        md.update(Files.readAllBytes(scratch));
        return Fixtures.hex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
