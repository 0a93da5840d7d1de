package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * A {@link ByteSource} over any {@link SeekableByteChannel}. Such a channel has one position, so
 * each read sets it and reads under a lock: several streams and storages may share the source.
 */
final class SeekableByteSource implements ByteSource {
    private final SeekableByteChannel channel;
    private final String name;

    SeekableByteSource(SeekableByteChannel channel, String name) {
        this.channel = channel;
        this.name = name;
    }

    @Override
    public synchronized long size() throws IOException { return channel.size(); }

    @Override
    public synchronized int read(long position, ByteBuffer dst) throws IOException {
        if (position >= channel.size()) {
            return -1;
        }
        channel.position(position);
        return channel.read(dst);
    }

    @Override
    public Path path() { return Path.of(name); }

    @Override
    public void close() throws IOException { channel.close(); }

    @Override
    public String toString() { return "SeekableByteSource[" + name + "]"; }
}
