package org.pthconvert.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.BoundedInflaterStream;
import org.pthconvert.io.ChannelRangeStream;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.DeflatedStorage;
import org.pthconvert.io.InPlaceStorage;
import org.pthconvert.io.StorageBytes;

/**
 * A torch >= 1.6 zip checkpoint or TorchScript archive, read through our own central directory
 * reader ({@link ZipDirectory}, {@link ZipEntries}) over one {@link FileChannel} with positional
 * reads: no {@code java.util.zip.ZipFile}, no memory mapping.
 *
 * <p>Records are named without the top folder ({@code data.pkl}, {@code data/0}, {@code byteorder},
 * {@code constants.pkl}, {@code code/__torch__/m.py}); the folder is whatever the entries share.
 * STORED records are read in place; DEFLATED ones through a {@link BoundedInflaterStream} that
 * never produces more than the directory declares. Other methods are refused when read.
 *
 * <p>CRC and size policy: {@code data.pkl} is checked in full when the container opens. A deflated
 * storage is inflated once, to the end and into nothing, when {@link #storage} first hands it out:
 * its declared size (a zip bomb lies about it) and CRC are thus known good before any tensor byte
 * is used, at the price of inflating re-zipped checkpoints twice (torch never deflates storages;
 * only files re-zipped by other tools pay). Any other record is checked when a stream from
 * {@link #openRecord} reaches its end. Stored tensor storages are <em>not</em> checked: that would
 * mean reading every weight twice, or once through the heap instead of {@code transferTo},
 * doubling the cost of converting a 50 GB file (torch's own mmap loading skips it too).
 * {@link #verifyCrc(String)} checks any record on demand (for a thorough scan).
 */
public final class ZipContainer implements CheckpointContainer {
    /** Longer than any byteorder record; anything longer is not one. */
    private static final int MAX_BYTEORDER = 16;
    /** Pickle readers take one byte per opcode: record streams are buffered. */
    private static final int STREAM_BUFFER = 1 << 16;

    private final Path file;
    private final FileChannel channel;
    private final ZipEntries entries;
    private final Format format;
    private final ByteOrder byteOrder;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    private ZipContainer(Path file, FileChannel channel, ZipEntries entries) throws IOException, CheckpointException {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
        if (!entries.byName.containsKey("data.pkl")) {
            throw new CheckpointException(Reason.INVALID, file, null, -1, null, "the zip archive has no "
                    + entries.topFolder + "/data.pkl record: not a PyTorch checkpoint (records: " + sample() + ")",
                    null);
        }
        this.format = entries.byName.containsKey("constants.pkl") ? Format.TORCHSCRIPT : Format.ZIP;
        this.byteOrder = readByteOrder();
        verifyCrc("data.pkl");
    }

    /** Opens and validates the zip structure of {@code file}; reads and checks data.pkl's CRC. */
    public static ZipContainer open(Path file) throws CheckpointException {
        return open(file, Containers.openChannel(file));
    }

    /** The same from an open channel, which the container owns from here on (closed on failure). */
    static ZipContainer open(Path file, FileChannel ch) throws CheckpointException {
        try {
            ZipDirectory dir = ZipDirectory.read(ch, file);
            return new ZipContainer(file, ch, ZipEntries.resolve(ch, file, dir));
        } catch (CheckpointException e) {
            close(ch);
            throw e.inFile(file);
        } catch (IOException e) {
            close(ch);
            throw CheckpointIOException.unwrap(e, file);
        } catch (ArithmeticException e) {
            close(ch);
            throw new CheckpointException(Reason.INVALID, file, null, -1, null,
                    "zip sizes or offsets overflow: corrupt zip", e);
        } catch (RuntimeException e) {
            close(ch);
            throw new CheckpointException(Reason.INVALID, file, null, -1, null, "malformed zip (" + e + ")", e);
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing with a better message
        }
    }

    private String sample() {
        List<String> names = new ArrayList<>(entries.byName.keySet());
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + ", ... " + names.size() + " in all";
    }

    private ByteOrder readByteOrder() throws IOException, CheckpointException {
        ZipRecord r = entries.byName.get("byteorder");
        if (r == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (r.size() > MAX_BYTEORDER) {
            throw invalid(r, "a byteorder record of " + r.size() + " bytes; expected 'little' or 'big'");
        }
        String text;
        try (InputStream in = openRecord("byteorder")) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
        return switch (text) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw invalid(r, "byteorder is '" + text + "'; expected 'little' or 'big'");
        };
    }

    @Override
    public Path file() { return file; }

    @Override
    public Format format() { return format; }

    @Override
    public ByteOrder byteOrder() { return byteOrder; }

    /** The folder every record sits in: the saved file's base name, or {@code archive}. */
    public String topFolder() { return entries.topFolder; }

    @Override
    public String pickleRecordName() { return entries.topFolder + "/data.pkl"; }

    @Override
    public InputStream openPickle() throws IOException, CheckpointException {
        return openRecord("data.pkl");
    }

    @Override
    public List<String> recordNames() { return List.copyOf(entries.byName.keySet()); }

    /** The directory entry of record {@code name} (without the top folder), if there is one. */
    public Optional<ZipRecord> record(String name) { return Optional.ofNullable(entries.byName.get(name)); }

    /**
     * The record's bytes, never more than the directory declares. The CRC is checked when the
     * stream reaches the end; errors in the data come as {@link CheckpointIOException}s.
     */
    @Override
    public InputStream openRecord(String name) throws IOException, CheckpointException {
        ZipRecord r = require(name);
        ChannelRangeStream raw = new ChannelRangeStream(channel, r.dataOffset(), r.compressedSize(), file,
                r.fullName(), r.stored() ? r.crc() : ChannelRangeStream.NO_CRC);
        InputStream in = r.stored() ? raw : new BoundedInflaterStream(raw, r.size(), r.crc(), file, r.fullName());
        return new BufferedInputStream(in, STREAM_BUFFER);
    }

    @Override
    public StorageBytes storage(String key, Map<String, Integer> elementSizes) throws IOException, CheckpointException {
        ZipRecord r = entries.byName.get("data/" + key);
        if (r == null) {
            throw new CheckpointException(Reason.INVALID, file, entries.topFolder + "/data/" + key, -1, null,
                    "the pickle names storage '" + key + "' but the archive has no such record", null);
        }
        supported(r);
        if (r.stored()) {
            return new InPlaceStorage(channel, r.dataOffset(), r.size(), file, r.fullName());
        }
        if (verified.add(r.name())) {
            verifyCrc(r.name());
        }
        return new DeflatedStorage(channel, r.dataOffset(), r.compressedSize(), r.size(), r.crc(), file,
                r.fullName());
    }

    /** Reads record {@code name} to its end and checks its CRC-32 (and, if deflated, its size). */
    public void verifyCrc(String name) throws IOException, CheckpointException {
        ZipRecord r = require(name);
        ChannelRangeStream raw = new ChannelRangeStream(channel, r.dataOffset(), r.compressedSize(), file,
                r.fullName(), r.stored() ? r.crc() : ChannelRangeStream.NO_CRC);
        try (InputStream in = r.stored() ? raw : new BoundedInflaterStream(raw, r.size(), r.crc(), file,
                r.fullName())) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // reading to the end checks the CRC
            }
        } catch (CheckpointIOException e) {
            throw e.problem();
        }
    }

    private ZipRecord require(String name) throws CheckpointException {
        ZipRecord r = entries.byName.get(name);
        if (r == null) {
            throw new CheckpointException(Reason.INVALID, file, entries.topFolder + "/" + name, -1, null,
                    "no such record in the archive", null);
        }
        supported(r);
        return r;
    }

    private void supported(ZipRecord r) throws CheckpointException {
        if (r.method() != ZipRecord.STORED && r.method() != ZipRecord.DEFLATED) {
            throw new CheckpointException(Reason.UNSUPPORTED, file, r.fullName(), -1, null,
                    "compression method " + r.method() + " is not supported (only stored and deflated)", null);
        }
    }

    private CheckpointException invalid(ZipRecord r, String detail) {
        return new CheckpointException(Reason.INVALID, file, r.fullName(), -1, null, detail, null);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "ZipContainer[" + file + ", " + format + ", " + entries.byName.size() + " records in '"
                + entries.topFolder + "/']";
    }
}
