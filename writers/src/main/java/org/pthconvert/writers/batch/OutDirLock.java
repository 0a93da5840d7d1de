package org.pthconvert.writers.batch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.pthconvert.errors.InvalidRequestException;

/**
 * One batch at a time per output folder on this machine: an OS lock held for the run, on a file in
 * the system's temporary folder named after the output folder's real path (nothing is written into
 * the output folder, so a rerun over a finished batch changes nothing there). The holder may then
 * treat temporaries beside its outputs as left over from a killed run ({@link StaleTemps}). The lock
 * dies with the process, so a killed run never blocks the next.
 */
public final class OutDirLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private OutDirLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code outDir} if needed and locks it.
     *
     * @throws InvalidRequestException when another batch holds the folder
     */
    public static OutDirLock acquire(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path file = Path.of(System.getProperty("java.io.tmpdir"))
                .resolve("pthconvert-batch-" + digest(outDir.toRealPath().toString()) + ".lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new InvalidRequestException(outDir + ": another batch is writing to this folder");
        }
        return new OutDirLock(file, ch, lock);
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
            // A batch that opened the file just before this delete locks an unlinked file and may
            // overlap with one starting later; each output's own atomic checks still hold then.
            Files.deleteIfExists(file);
        }
    }
}
