package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;

/** A {@link ByteSource} over a local file's {@link FileChannel}: positional reads need no lock. */
final class FileByteSource implements ByteSource {
    private final Path file;
    private final FileChannel channel;

    FileByteSource(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    @Override
    public long size() throws IOException { return channel.size(); }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException { return channel.read(dst, position); }

    @Override
    public Optional<FileChannel> fileChannel() { return Optional.of(channel); }

    @Override
    public Path path() { return file; }

    @Override
    public void close() throws IOException { channel.close(); }

    @Override
    public String toString() { return "FileByteSource[" + file + "]"; }
}
