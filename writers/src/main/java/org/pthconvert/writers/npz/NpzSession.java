package org.pthconvert.writers.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.zip.ZipEntry;

import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorCast;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.AbstractWriteSession;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.TypeChange;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.WriterFailures;
import org.pthconvert.writers.zip.StoredZip;

/**
 * Writes one .npz. Uncompressed (the default), through {@link StoredZip}: each member's .npy header,
 * then its array bytes as {@link StoredZip#copy} copies them (file to file unless small), ZIP64 fields where a size or offset needs them. Compressed, through
 * commons-compress, which deflates and patches each member's CRC and sizes after its data. Tensors
 * keep the caller's order.
 */
final class NpzSession extends AbstractWriteSession {

    private static final int COPY_BUFFER = 256 * 1024;
    /** Members are dated 1980-01-01 00:00 (the zip epoch), so the same input gives the same bytes. */
    private static final long FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0)
            .atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();

    private final WriteOptions opts;
    private final FileChannel channel;
    /** Exactly one of the two: stored members, or deflated ones. */
    private final StoredZip stored;
    private final ZipArchiveOutputStream zip;
    /**
     * How each dtype is stored, by ordinal; it depends on the dtype and the options only, so it is
     * worked out once per dtype, not kept per tensor name (100,000 entries in some checkpoints).
     */
    private final NpzWriter.Stored[] layouts = new NpzWriter.Stored[Dtype.values().length];
    private final byte[] buffer = new byte[COPY_BUFFER];
    private String lastDescr;
    private Shape lastShape;
    private byte[] lastHeader;

    NpzSession(NpzWriter writer, Path target, WriteOptions opts) throws IOException {
        super(writer, opts);
        this.opts = opts;
        this.channel = OutputFiles.openEmpty(target, true);
        if (opts.compress()) {
            this.stored = null;
            this.zip = new ZipArchiveOutputStream(channel);
            zip.setUseZip64(Zip64Mode.AsNeeded);
            zip.setEncoding("UTF-8");
            zip.setUseLanguageEncodingFlag(true);
            zip.setMethod(ZipEntry.DEFLATED);
        } else {
            this.stored = new StoredZip(channel);
            this.zip = null;
        }
    }

    @Override
    protected List<TensorSpec> onBegin(WritePlan plan) throws CheckpointException {
        List<TensorSpec> specs = plan.specs();
        for (TensorSpec s : specs) {
            NpzWriter.Stored how = layout(s.dtype());
            if (how == null) {
                throw WriterFailures.unsupported(s.name(), "npz cannot hold " + s.dtype());
            }
            if (how.change() != null) {
                typeChanged(new TypeChange(s.name(), s.dtype(), how.dtype(), how.change()));
            }
        }
        NpzNames.checkCollisions(specs);
        return specs;
    }

    /**
     * The .npy prefix of an array of this type and shape: the last one made again when they repeat
     * (an optimizer state of 100,000 tensors has a handful of shapes). Its bytes are only read.
     */
    private byte[] header(String descr, Shape shape) {
        if (!descr.equals(lastDescr) || !shape.equals(lastShape)) {
            lastHeader = NpyHeader.encode(descr, shape);
            lastDescr = descr;
            lastShape = shape;
        }
        return lastHeader;
    }

    /** How {@code d} is stored, or null when npz cannot hold it. */
    private NpzWriter.Stored layout(Dtype d) {
        NpzWriter.Stored how = layouts[d.ordinal()];
        if (how == null) {
            how = NpzWriter.storage(d, opts).orElse(null);
            layouts[d.ordinal()] = how;
        }
        return how;
    }

    @Override
    protected void onWrite(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        NpzWriter.Stored how = layout(spec.dtype());
        TensorSource data = how.change() == TypeChange.How.WIDENED
                ? TensorCast.of(bytes, spec.dtype(), how.dtype())
                : bytes;   // same dtype, or raw bits: the bytes are already right
        byte[] header = header(how.descr(), spec.shape());
        if (stored != null) {
            writeStored(spec, header, data);
            return;
        }
        ZipArchiveEntry entry = new ZipArchiveEntry(NpzNames.member(spec.name()));
        entry.setTime(FIXED_TIME);
        entry.setMethod(ZipEntry.DEFLATED);
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

    /**
     * The header is a multiple of 64 bytes and the member's data starts on a 64-byte boundary, so the
     * array is aligned as NumPy aligns it.
     */
    private void writeStored(TensorSpec spec, byte[] header, TensorSource data) throws IOException, CheckpointException {
        stored.begin(NpzNames.memberBytes(spec.name()), Math.addExact(header.length, data.byteLength()));
        stored.data(ByteBuffer.wrap(header));
        long got = stored.copy(data);
        if (got != data.byteLength()) {
            throw WriterFailures.invalid(spec.name(), "source gave " + got + " bytes, expected " + data.byteLength());
        }
        stored.end();
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
        if (stored != null) {
            stored.finish();
            stored.close();
            channel.close();
            return;
        }
        zip.finish();
        zip.close();   // closes the channel
    }

    @Override
    protected void onClose(boolean aborted) throws IOException {
        if (stored != null) {
            stored.close(); // stops the background CRC work, on every path
        }
        if (aborted) {
            // No central directory; the caller deletes the file.
            channel.close();
        }
    }
}
