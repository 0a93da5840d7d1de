package org.pthconvert.writers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Opening and removing output files the way every writer (and batch, and the Spark job) should. */
public final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * Opens {@code path} for writing from byte 0, creating it if needed. It deliberately does not pass
     * {@code TRUNCATE_EXISTING}: ext4 treats a truncate-on-open as "replace via truncate" and flushes
     * the whole file to disk when it is closed (auto_da_alloc), which made a 1 GiB conversion spend
     * 0.4 s in close(). The temp files {@link AtomicOutput} hands out are new and empty; a non-empty
     * file is still emptied, with the same cost, as correctness requires.
     */
    public static FileChannel openEmpty(Path path, boolean alsoRead) throws IOException {
        FileChannel ch = alsoRead
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                : FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        try {
            if (ch.size() > 0) {
                ch.truncate(0);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /** Deletes {@code p} and, if it is a directory, everything below it; links are removed, not followed. */
    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Appends what remains of {@code from} to the write buffer {@code via}, writing {@code via} out to
     * {@code out} each time it fills (what it holds at the end stays in it). Writers send a large heap
     * buffer this way rather than hand it to the channel, which first copies it into a temporary
     * direct buffer as large as itself, allocated and zeroed (a header or data.pkl of 100,000 tensors
     * is 8 to 10 MB).
     */
    public static void copyThrough(ByteBuffer from, ByteBuffer via, WritableByteChannel out) throws IOException {
        while (from.hasRemaining()) {
            int n = Math.min(via.remaining(), from.remaining());
            via.put(via.position(), from, from.position(), n);
            via.position(via.position() + n);
            from.position(from.position() + n);
            if (!via.hasRemaining()) {
                drain(via, out);
            }
        }
    }

    /** Writes everything the write buffer {@code via} holds to {@code out}, leaving it empty. */
    public static void drain(ByteBuffer via, WritableByteChannel out) throws IOException {
        via.flip();
        while (via.hasRemaining()) {
            out.write(via);
        }
        via.clear();
    }
}
