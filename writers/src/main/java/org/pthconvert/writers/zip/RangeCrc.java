package org.pthconvert.writers.zip;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.zip.CRC32;

/**
 * CRC-32s of byte ranges already written to the output, computed on one worker thread while the
 * writer streams the next record, so the read-back (a page-cache copy plus {@link CRC32}, about a
 * quarter second per GiB) overlaps the copy instead of following it. Reads are positional, so they
 * do not move the writer's position. {@link #close} stops the worker; call it on every path.
 */
final class RangeCrc implements AutoCloseable {

    /** Big enough to amortise a read call, small enough to stay in the cache for the CRC. */
    private static final int CHUNK = 1 << 20;

    private final FileChannel channel;
    private ExecutorService worker;
    private ByteBuffer buffer;

    /** @param channel open for reading */
    RangeCrc(FileChannel channel) {
        this.channel = channel;
    }

    /** Starts computing the CRC-32 of {@code [start, end)} of the channel. */
    Future<Integer> submit(long start, long end) {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(new Daemon());
        }
        return worker.submit(new Range(start, end));
    }

    // Classes, not lambdas: no lambda is linked on the start path (README, "Start-up").

    /** The worker: a daemon thread, so that a failed run still exits. */
    private static final class Daemon implements ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "pth-crc");
            t.setDaemon(true);
            return t;
        }
    }

    private final class Range implements Callable<Integer> {
        private final long start;
        private final long end;

        Range(long start, long end) {
            this.start = start;
            this.end = end;
        }

        @Override
        public Integer call() throws IOException {
            return crc(start, end);
        }
    }

    /** The CRC a submitted computation gave, waiting for it. */
    static int await(Future<Integer> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while computing a record's CRC-32");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("computing a record's CRC-32 failed", e.getCause());
        }
    }

    private int crc(long start, long end) throws IOException {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(CHUNK);
        }
        CRC32 crc = new CRC32();
        long pos = start;
        while (pos < end) {
            buffer.clear().limit((int) Math.min(CHUNK, end - pos));
            int r = channel.read(buffer, pos);
            if (r <= 0) {
                throw new IOException("could not read back the bytes written at offset " + pos);
            }
            buffer.flip();
            crc.update(buffer);
            pos += r;
        }
        return (int) crc.getValue();
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.shutdownNow();
        }
    }
}
