package org.pthconvert.writers.batch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.pthconvert.errors.InvalidRequestException;

/**
 * One batch at a time per output folder: an OS lock on a hidden file in it, held for the run. The
 * holder may then treat temporaries beside its outputs as left over from a killed run
 * ({@link StaleTemps}). The lock dies with the process, so a killed run never blocks the next.
 */
public final class OutDirLock implements AutoCloseable {

    /** The lock file's name in the output folder. */
    public static final String FILE_NAME = ".pthconvert-batch.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private OutDirLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws InvalidRequestException when another batch holds the folder */
    public static OutDirLock acquire(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path file = outDir.resolve(FILE_NAME);
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

    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
            lock.release();
        } finally {
            channel.close();
        }
    }
}
