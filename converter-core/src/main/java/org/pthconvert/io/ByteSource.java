package org.pthconvert.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Random-access bytes a checkpoint is read from: a size and positional reads, nothing else, so
 * that a local file, any {@link SeekableByteChannel} (an NIO file system provider, an in-memory
 * channel) or another store (a Hadoop or cloud input adapted outside converter-core) reads alike.
 * A local file also exposes its {@link FileChannel}, for {@code transferTo} copies that never pass
 * through the heap.
 *
 * <p>Reads at distinct positions may come from several storages and streams interleaved:
 * implementations never rely on a shared position between calls.
 */
public interface ByteSource extends Closeable {

    /** The number of bytes. */
    long size() throws IOException;

    /**
     * Reads bytes from {@code position} into {@code dst}; returns how many (at least one unless
     * {@code dst} is full), or -1 when {@code position} is at or past the end.
     */
    int read(long position, ByteBuffer dst) throws IOException;

    /** The local file's channel, when the source is one: the fast path for {@code transferTo}. */
    default Optional<FileChannel> fileChannel() {
        return Optional.empty();
    }

    /** What error messages call the source: the file's path, or the name the caller gave. */
    Path path();

    /** A local file, read through a {@link FileChannel} it opens. */
    static ByteSource open(Path file) throws IOException {
        return new FileByteSource(file, FileChannel.open(file, java.nio.file.StandardOpenOption.READ));
    }

    /** Any seekable channel (positioned under a lock); {@code name} is shown in messages. */
    static ByteSource of(SeekableByteChannel channel, String name) {
        if (channel instanceof FileChannel fc) {
            return new FileByteSource(Path.of(name), fc);
        }
        return new SeekableByteSource(channel, name);
    }
}
