package org.pthconvert.writers.pth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.select.ModuleMetadata;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.WriterFailures;

/**
 * Writes one {@code .pth} in torch's record order: {@code data.pkl}, {@code .format_version},
 * {@code .storage_alignment}, {@code byteorder}, {@code data/0} ... (tensor bytes as they arrive,
 * per-channel quantization parameters right after their tensor), {@code version},
 * {@code .data/serialization_id}.
 */
final class PthOutput {

    private final PthZip zip;
    private final String folder;
    private final PthLayout layout;
    private final SerializationId id;
    private int nextRecord;

    PthOutput(FileChannel out, String folder, PthLayout layout, ModuleMetadata metadata, SerializationId id)
            throws IOException {
        this.zip = new PthZip(out);
        this.folder = folder + "/";
        this.layout = layout;
        this.id = id;
        small("data.pkl", DataPickle.encode(layout.tensors(), metadata));
        small(".format_version", ascii("1"));
        small(".storage_alignment", ascii(Integer.toString(PthZip.ALIGNMENT)));
        small("byteorder", ascii("little"));
        writeGenerated();
    }

    /** The bytes of the next tensor record; {@code spec} must be the next of {@link PthLayout#needed}. */
    void write(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        StoredRecord r = layout.records().get(nextRecord);
        if (!(r.content() instanceof StoredRecord.FromTensor t) || !t.tensor().equals(spec.name())) {
            throw new IllegalStateException("record data/" + r.key() + " is not for tensor " + spec.name());
        }
        if (bytes.byteLength() != r.byteLength()) {
            throw WriterFailures.invalid(spec.name(), "source has " + bytes.byteLength() + " bytes, expected "
                    + r.byteLength());
        }
        zip.begin(folder + "data/" + r.key(), r.byteLength());
        long[] got = {0};
        bytes.forEachChunk(chunk -> {
            int n = chunk.remaining();
            if (got[0] + n > r.byteLength()) {
                throw WriterFailures.invalid(spec.name(), "source gave more than " + r.byteLength() + " bytes");
            }
            zip.data(chunk);
            got[0] += n;
        });
        if (got[0] != r.byteLength()) {
            throw WriterFailures.invalid(spec.name(), "source gave " + got[0] + " bytes, expected " + r.byteLength());
        }
        zip.end();
        nextRecord++;
        writeGenerated();
    }

    /** Records whose bytes this writer makes (quantization parameters) up to the next tensor's. */
    private void writeGenerated() throws IOException {
        List<StoredRecord> records = layout.records();
        while (nextRecord < records.size() && !(records.get(nextRecord).content() instanceof StoredRecord.FromTensor)) {
            StoredRecord r = records.get(nextRecord);
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(r.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
            if (r.content() instanceof StoredRecord.Scales s) {
                s.values().forEach(b::putDouble);
            } else if (r.content() instanceof StoredRecord.ZeroPoints z) {
                z.values().forEach(b::putLong);
            }
            small("data/" + r.key(), b.array());
            nextRecord++;
        }
    }

    void finish() throws IOException {
        if (nextRecord != layout.records().size()) {
            throw new IllegalStateException("finish after " + nextRecord + " of " + layout.records().size() + " records");
        }
        small("version", ascii("3\n"));
        small(".data/serialization_id", ascii(id.text()));
        zip.finish();
    }

    private void small(String name, byte[] data) throws IOException {
        zip.record(folder + name, data);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
