package org.pthconvert.writers.safetensors;

import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.pthconvert.writers.OutputFiles;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.WriterFailures;

/**
 * One .safetensors file being written: its header is fixed up front, then each tensor's bytes go
 * straight from the source to the file ({@link TensorSource#transferTo}, file to file where the
 * source allows), checked to land exactly where the header says.
 */
final class SafetensorsFile {

    private final Path path;
    private final List<TensorSpec> tensors;
    /** The header until it is written (then dropped: 100,000 tensors make 8 MB of it). */
    private ByteBuffer prefix;
    private final long size;
    private FileChannel channel;
    private int next;
    /** Small tensors' bytes not yet written; made on the first one. */
    private ByteBuffer pending;
    private static final int SMALL = 64 * 1024;
    private static final int PENDING = 1 << 20;

    SafetensorsFile(Path path, List<TensorSpec> ordered, Map<String, String> metadata) throws CheckpointException {
        this.path = path;
        this.tensors = List.copyOf(ordered);
        this.prefix = SafetensorsHeader.encode(tensors, metadata);
        this.size = Math.addExact(prefix.remaining(), ShardPlan.totalSize(tensors));
    }

    List<TensorSpec> tensors() { return tensors; }

    boolean complete() { return next == tensors.size(); }

    /** Appends the next tensor, which must be {@code spec}. */
    void write(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        if (!tensors.get(next).equals(spec)) {
            throw new IllegalStateException("safetensors: '" + spec.name() + "' is not next in " + path.getFileName());
        }
        FileChannel ch = open();
        long length = spec.byteLength();
        if (length <= SMALL && bytes.byteLength() == length) {
            gather(ch, spec, bytes);
        } else {
            flush(ch);
            long start = ch.position();
            bytes.transferTo(ch);
            check(spec, ch.position() - start);
        }
        next++;
    }

    /**
     * A small tensor joins the ones before it in one buffer, written when full: file to file, each would
     * cost a handful of system calls (a checkpoint of 100,000 small tensors made 600,000).
     */
    private void gather(FileChannel ch, TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        pending();
        if (pending.remaining() < spec.byteLength()) {
            flush(ch);
        }
        int start = pending.position();
        try {
            bytes.readFully(pending);
        } catch (BufferOverflowException e) {
            throw WriterFailures.invalid(spec.name(), "source gave more than " + spec.byteLength() + " bytes ("
                    + spec.dtype() + spec.shape() + ")");
        }
        check(spec, pending.position() - start);
    }

    /** The buffer small tensors (and a large header) gather in, made on first use. */
    private ByteBuffer pending() {
        if (pending == null) {
            pending = ByteBuffer.allocateDirect(PENDING);
        }
        return pending;
    }

    private void flush(FileChannel ch) throws IOException {
        if (pending != null && pending.position() > 0) {
            OutputFiles.drain(pending, ch);
        }
    }

    private static void check(TensorSpec spec, long written) throws CheckpointException {
        if (written != spec.byteLength()) {
            throw WriterFailures.invalid(spec.name(), "source wrote " + written + " bytes, expected "
                    + spec.byteLength() + " (" + spec.dtype() + spec.shape() + ")");
        }
    }

    /** Checks the file is whole and closes it; an empty file gets its header here. */
    void finish() throws IOException, CheckpointException {
        FileChannel ch = open();
        flush(ch);
        pending = null;
        long actual = ch.size();
        ch.close();
        if (actual != size) {
            throw WriterFailures.invalid(null, path.getFileName() + " is " + actual + " bytes, expected " + size);
        }
    }

    /** Closes without checking (abort). */
    void abort() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    private FileChannel open() throws IOException {
        if (channel == null) {
            channel = OutputFiles.openEmpty(path, false);
            if (prefix.remaining() <= SMALL) {
                while (prefix.hasRemaining()) {
                    channel.write(prefix);
                }
            } else {
                // A large header goes through the small tensors' direct buffer (see copyThrough).
                OutputFiles.copyThrough(prefix, pending(), channel);
            }
            prefix = null;
        }
        return channel;
    }
}
