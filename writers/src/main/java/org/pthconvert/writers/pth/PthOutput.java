package org.pthconvert.writers.pth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.select.ModuleMetadata;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.Digits;
import org.pthconvert.writers.WriterFailures;
import org.pthconvert.writers.zip.StoredZip;

/**
 * Writes one {@code .pth} in torch's record order: {@code data.pkl}, {@code .format_version},
 * {@code .storage_alignment}, {@code byteorder}, {@code data/0} ... (tensor bytes as they arrive,
 * per-channel quantization parameters right after their tensor), {@code version},
 * {@code .data/serialization_id}.
 */
final class PthOutput {

    private final StoredZip zip;
    private final String folder;
    /** {@code <folder>/data/} in UTF-8: every tensor record's name but for its key. */
    private final byte[] dataPrefix;
    private final PthLayout layout;
    private final SerializationId id;
    private final Map<String, TensorSource> wholeStorages;
    private int nextRecord;

    PthOutput(FileChannel out, String folder, PthLayout layout, ModuleMetadata metadata, SerializationId id)
            throws IOException {
        this(out, folder, layout, metadata, id, Map.of());
    }

    /**
     * @param wholeStorages the bytes of every {@link StoredRecord.WholeStorage} record, by record key;
     *                      they are streamed in record order between the tensors handed to {@link #write}
     */
    PthOutput(FileChannel out, String folder, PthLayout layout, ModuleMetadata metadata, SerializationId id,
              Map<String, TensorSource> wholeStorages) throws IOException {
        this.wholeStorages = Map.copyOf(wholeStorages);
        this.zip = new StoredZip(out);
        this.folder = folder + "/";
        this.dataPrefix = (this.folder + "data/").getBytes(StandardCharsets.UTF_8);
        this.layout = layout;
        this.id = id;
        small("data.pkl", DataPickle.encode(layout.tensors(), metadata));
        small(".format_version", ascii("1"));
        small(".storage_alignment", ascii(Integer.toString(StoredZip.ALIGNMENT)));
        small("byteorder", ascii("little"));
    }

    /** The bytes of the next tensor record; {@code spec} must be the next of {@link PthLayout#needed}. */
    void write(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException {
        writeGenerated();
        StoredRecord r = layout.records().get(nextRecord);
        if (!(r.content() instanceof StoredRecord.FromTensor t) || !t.tensor().equals(spec.name())) {
            throw new IllegalStateException("record data/" + r.key() + " is not for tensor " + spec.name());
        }
        stream(r, bytes, spec.name());
        nextRecord++;
    }

    /**
     * {@code <folder>/data/<index>} in UTF-8, made as bytes: one array per record, where a string
     * would be three objects and a copy (a state dict of 100,000 tensors has as many records).
     */
    private byte[] recordName(int index) {
        int digits = Digits.count(index);
        byte[] out = Arrays.copyOf(dataPrefix, dataPrefix.length + digits);
        Digits.write(out, dataPrefix.length, index, digits);
        return out;
    }

    /** One record's bytes, as {@link StoredZip#copy} copies them. */
    private void stream(StoredRecord r, TensorSource bytes, String tensor) throws IOException, CheckpointException {
        if (bytes.byteLength() != r.byteLength()) {
            throw WriterFailures.invalid(tensor, "source has " + bytes.byteLength() + " bytes, expected "
                    + r.byteLength());
        }
        zip.begin(recordName(r.index()), r.byteLength());
        long got = zip.copy(bytes);
        if (got != r.byteLength()) {
            throw WriterFailures.invalid(tensor, "source gave " + got + " bytes, expected " + r.byteLength());
        }
        zip.end();
    }

    /**
     * Records not handed to {@link #write} up to the next one that is: whole source storages, and
     * the quantization parameters this writer makes.
     */
    private void writeGenerated() throws IOException, CheckpointException {
        List<StoredRecord> records = layout.records();
        while (nextRecord < records.size() && !(records.get(nextRecord).content() instanceof StoredRecord.FromTensor)) {
            StoredRecord r = records.get(nextRecord);
            if (r.content() instanceof StoredRecord.WholeStorage w) {
                TensorSource source = wholeStorages.get(r.key());
                if (source == null) {
                    throw new IllegalStateException("no source for the whole storage of record data/" + r.key());
                }
                stream(r, source, "storage " + w.origin().storageKey());
                nextRecord++;
                continue;
            }
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

    void finish() throws IOException, CheckpointException {
        writeGenerated();
        if (nextRecord != layout.records().size()) {
            throw new IllegalStateException("finish after " + nextRecord + " of " + layout.records().size() + " records");
        }
        small("version", ascii("3\n"));
        small(".data/serialization_id", ascii(id.text()));
        zip.finish();
    }

    /** Stops background work; the channel is the caller's to close. */
    void close() {
        zip.close();
    }

    private void small(String name, byte[] data) throws IOException {
        small(name, ByteBuffer.wrap(data));
    }

    private void small(String name, ByteBuffer data) throws IOException {
        zip.record(folder + name, data);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
