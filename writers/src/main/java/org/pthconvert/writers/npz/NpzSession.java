package org.pthconvert.writers.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;

import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.io.TensorCast;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.AbstractWriteSession;
import org.pthconvert.writers.TypeChange;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriterFailures;

/**
 * Writes one .npz through commons-compress on a seekable channel, which patches each member's CRC
 * and sizes after its data (and adds ZIP64 fields when a size or offset needs them). Tensor bytes
 * stream through one small buffer. Tensors keep the caller's order.
 */
final class NpzSession extends AbstractWriteSession {

    private static final int COPY_BUFFER = 256 * 1024;
    /** Members are dated 1980-01-01 00:00 (the zip epoch), so the same input gives the same bytes. */
    private static final long FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0)
            .atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();

    private final WriteOptions opts;
    private final FileChannel channel;
    private final ZipArchiveOutputStream zip;
    private final Map<String, NpzWriter.Stored> stored = new HashMap<>();
    private final byte[] buffer = new byte[COPY_BUFFER];

    NpzSession(NpzWriter writer, Path target, WriteOptions opts) throws IOException {
        super(writer, opts);
        this.opts = opts;
        this.channel = OutputFiles.openEmpty(target, true);
        this.zip = new ZipArchiveOutputStream(channel);
        zip.setUseZip64(Zip64Mode.AsNeeded);
        zip.setEncoding("UTF-8");
        zip.setUseLanguageEncodingFlag(true);
        zip.setMethod(opts.compress() ? ZipEntry.DEFLATED : ZipEntry.STORED);
    }

    @Override
    protected List<TensorSpec> onBegin(WritePlan plan) throws CheckpointException {
        List<TensorSpec> specs = plan.specs();
        for (TensorSpec s : specs) {
            Optional<NpzWriter.Stored> how = NpzWriter.storage(s.dtype(), opts);
            if (how.isEmpty()) {
                throw WriterFailures.unsupported(s.name(), "npz cannot hold " + s.dtype());
            }
            stored.put(s.name(), how.get());
            if (how.get().change() != null) {
                typeChanged(new TypeChange(s.name(), s.dtype(), how.get().dtype(), how.get().change()));
            }
        }
        NpzNames.checkCollisions(specs);
        return specs;
    }

    @Override
    protected void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        NpzWriter.Stored how = stored.get(spec.name());
        TensorSource data = how.change() == TypeChange.How.WIDENED
                ? TensorCast.of(bytes, spec.dtype(), how.dtype())
                : bytes;   // same dtype, or raw bits: the bytes are already right
        byte[] header = NpyHeader.encode(how.descr(), spec.shape());
        ZipArchiveEntry entry = new ZipArchiveEntry(NpzNames.member(spec.name()));
        entry.setTime(FIXED_TIME);
        if (!opts.compress()) {
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(Math.addExact(header.length, data.byteLength()));
            entry.setAlignment(NpyHeader.ALIGN);
        } else {
            entry.setMethod(ZipEntry.DEFLATED);
        }
        zip.putArchiveEntry(entry);
        zip.write(header);
        long[] written = {0};
        data.forEachChunk(chunk -> {
            int n = chunk.remaining();
            copy(chunk);
            written[0] += n;
        });
        if (written[0] != data.byteLength()) {
            throw WriterFailures.invalid(spec.name(), "source gave " + written[0] + " bytes, expected "
                    + data.byteLength());
        }
        zip.closeArchiveEntry();
    }

    private void copy(ByteBuffer chunk) throws IOException {
        if (chunk.hasArray()) {
            zip.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
            return;
        }
        ByteBuffer b = chunk.duplicate();
        while (b.hasRemaining()) {
            int n = Math.min(buffer.length, b.remaining());
            b.get(buffer, 0, n);
            zip.write(buffer, 0, n);
        }
    }

    @Override
    protected void onFinish() throws IOException {
        zip.finish();
        zip.close();   // closes the channel
    }

    @Override
    protected void onClose(boolean aborted) throws IOException {
        if (aborted) {
            // No central directory; the caller deletes the file.
            channel.close();
        }
    }
}
