package org.pthconvert.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
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
import org.pthconvert.io.BufferedStream;
import org.pthconvert.io.BoundedInflaterStream;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.ChannelRangeStream;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.DeflatedStorage;
import org.pthconvert.io.InPlaceStorage;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.pickle.PickleRepr;
import org.pthconvert.pickle.PickleValue;

/**
 * A torch >= 1.6 zip checkpoint or TorchScript archive, read through our own central directory
 * reader ({@link ZipDirectory}, {@link ZipEntries}) over one {@link ByteSource} with positional
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
    private final ByteSource channel;
    private final ZipEntries entries;
    private final Format format;
    private final ByteOrder byteOrder;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private final List<String> warnings = new ArrayList<>();

    private ZipContainer(Path file, ByteSource channel, ZipEntries entries) throws IOException, CheckpointException {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
        if (entries.ambiguity != null) {
            // Only the pickles may be read (to be audited) before the archive is refused.
            this.format = Format.ZIP;
            this.byteOrder = ByteOrder.LITTLE_ENDIAN;
            return;
        }
        if (entries.get("data.pkl") == null) {
            throw CheckpointException.of(Reason.INVALID, "the zip archive has no "
                    + entries.topFolder + "/data.pkl record: not a PyTorch checkpoint (records: " + sample() + ")").inFile(file);
        }
        // torch.load tells TorchScript apart by an exact-case look-up in Python (get_all_records).
        this.format = entries.hasExactly("constants.pkl") ? Format.TORCHSCRIPT : Format.ZIP;
        if (format == Format.TORCHSCRIPT) {
            // torch.load hands a TorchScript archive to torch.jit.load, whose reader never looks at the
            // record: the bytes come back as stored (torch 2.13: the same state_dict for 'big' and 'little').
            String text = byteOrderText();
            if (text != null && !text.equals("little")) {
                warnings.add("byteorder says " + shown(text) + ", which torch.jit.load ignores: tensors are "
                        + "read as stored, little-endian, as it reads them");
            }
            this.byteOrder = ByteOrder.LITTLE_ENDIAN;
        } else {
            this.byteOrder = readByteOrder();
        }
        verifyCrc("data.pkl");
    }

    /** Opens and validates the zip structure of {@code file}; reads and checks data.pkl's CRC. */
    public static ZipContainer open(Path file) throws CheckpointException {
        return open(Containers.openSource(file));
    }

    /**
     * Opens and validates the zip structure of {@code source}; reads and checks data.pkl's CRC.
     * The container owns the source from then on (closes it, also when opening fails).
     */
    public static ZipContainer open(ByteSource source) throws CheckpointException {
        ByteSource ch = source;
        Path file = source.path();
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
            throw CheckpointException.of(Reason.INVALID, "zip sizes or offsets overflow: corrupt zip").inFile(file).causedBy(e);
        } catch (RuntimeException e) {
            close(ch);
            throw CheckpointException.of(Reason.INVALID, "malformed zip (" + e + ")").inFile(file).causedBy(e);
        }
    }

    private static void close(ByteSource ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing with a better message
        }
    }

    private String sample() {
        List<String> names = entries.names();
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + ", ... " + names.size() + " in all";
    }

    private ByteOrder readByteOrder() throws IOException, CheckpointException {
        String text = byteOrderText();
        if (text == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        ZipRecord r = entries.get("byteorder");
        // Exactly, as torch.load: 'little\n' is its "Unknown endianness type".
        return switch (text) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw invalid(r, "byteorder is " + shown(text) + "; expected exactly 'little' or 'big'");
        };
    }

    /** The byteorder record's text, or null when there is none. */
    private String byteOrderText() throws IOException, CheckpointException {
        ZipRecord r = entries.get("byteorder");
        if (r == null) {
            return null;
        }
        if (r.size() > MAX_BYTEORDER) {
            throw invalid(r, "a byteorder record of " + r.size() + " bytes; expected 'little' or 'big'");
        }
        try (InputStream in = openRecord("byteorder")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Override
    public Path file() { return file; }

    @Override
    public Format format() { return format; }

    @Override
    public ByteOrder byteOrder() { return byteOrder; }

    @Override
    public List<String> warnings() { return List.copyOf(warnings); }

    /** The record's text quoted as Python would (control characters escaped): it goes into a one-line message. */
    private static String shown(String text) {
        return PickleRepr.repr(new PickleValue.PStr(text));
    }

    /** The folder every record sits in: the saved file's base name, or {@code archive}. */
    public String topFolder() { return entries.topFolder; }

    @Override
    public String pickleRecordName() {
        ZipRecord r = entries.ambiguity == null ? entries.get("data.pkl") : null;
        return r != null ? r.fullName() : entries.topFolder + "/data.pkl";
    }

    /** Opens one record's bytes; a class, not a lambda: no lambda is linked on the start path (README, "Start-up"). */
    private final class RecordOpener implements PickleStream.Opener {
        private final ZipRecord record;

        RecordOpener(ZipRecord record) {
            this.record = record;
        }

        @Override
        public InputStream open() throws IOException, CheckpointException {
            return ZipContainer.this.open(record);
        }
    }

    /**
     * data.pkl first, then every other record whose name ends in {@code .pkl} in any case; in an
     * ambiguous archive every such entry, duplicates included, in directory order.
     */
    @Override
    public List<PickleStream> pickles() {
        List<PickleStream> out = new ArrayList<>();
        ZipRecord main = entries.ambiguity == null ? entries.get("data.pkl") : null;
        if (main != null) {
            out.add(new PickleStream(main.fullName(), 0, new RecordOpener(main)));
        }
        for (ZipRecord r : entries.pickleRecords()) {
            // Records are made on each look-up: the same entry is the same local header.
            if (main == null || r.localHeaderOffset() != main.localHeaderOffset()) {
                out.add(new PickleStream(r.fullName(), 0, new RecordOpener(r)));
            }
        }
        return out;
    }

    @Override
    public CheckpointException deferredRefusal() { return entries.ambiguity; }

    @Override
    public InputStream openPickle() throws IOException, CheckpointException {
        return openRecord("data.pkl");
    }

    @Override
    public List<String> recordNames() { return entries.names(); }

    /** The directory entry of record {@code name} (without the top folder), if there is one. */
    public Optional<ZipRecord> record(String name) { return Optional.ofNullable(entries.get(name)); }

    /**
     * The record's bytes, never more than the directory declares. The CRC is checked when the
     * stream reaches the end; errors in the data come as {@link CheckpointIOException}s.
     */
    @Override
    public InputStream openRecord(String name) throws IOException, CheckpointException {
        return open(require(name));
    }

    private InputStream open(ZipRecord r) throws CheckpointException {
        supported(r);
        ChannelRangeStream raw = new ChannelRangeStream(channel, r.dataOffset(), r.compressedSize(), file,
                r.fullName(), r.stored() ? r.crc() : ChannelRangeStream.NO_CRC);
        InputStream in = r.stored() ? raw : new BoundedInflaterStream(raw, r.size(), r.crc(), file, r.fullName());
        return new BufferedStream(in, STREAM_BUFFER);
    }

    @Override
    public StorageBytes storage(String key, Map<String, Integer> elementSizes) throws IOException, CheckpointException {
        int i = storageEntry(key);
        if (entries.stored(i)) {
            // Looked up per tensor written: no record and no name made (a message makes the name).
            String name = entries.keptName(i);
            return name != null
                    ? new InPlaceStorage(channel, entries.dataOffset(i), entries.size(i), file, name, entries.crc(i))
                    : new InPlaceStorage(channel, entries.dataOffset(i), entries.size(i), file, entries.dataPrefix(), key,
                    entries.crc(i));
        }
        ZipRecord r = entries.record(i);
        supported(r);
        if (verified.add(r.name())) {
            verifyCrc(r.name());
        }
        return new DeflatedStorage(channel, r.dataOffset(), r.compressedSize(), r.size(), r.crc(), file,
                r.fullName());
    }

    @Override
    public long plainStorageSize(String key) throws CheckpointException {
        int i = storageEntry(key);
        return entries.stored(i) ? entries.size(i) : -1;
    }

    /** The entry of storage {@code key}, or the error of an archive without it. */
    private int storageEntry(String key) throws CheckpointException {
        if (entries.ambiguity != null) {
            throw entries.ambiguity;
        }
        int i = entries.storage(key);
        if (i < 0) {
            throw CheckpointException.of(Reason.INVALID, "the pickle names storage '" + key + "' but the archive has no such record").inFile(file).at(entries.topFolder + "/data/" + key, -1);
        }
        return i;
    }

    /** Stored records are a directory look-up (a deflated one is checked once, then only looked up). */
    @Override
    public boolean storagesCheapToReopen() {
        return true;
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
        if (entries.ambiguity != null) {
            throw entries.ambiguity;
        }
        ZipRecord r = entries.get(name);
        if (r == null) {
            throw CheckpointException.of(Reason.INVALID, "no such record in the archive").inFile(file).at(entries.topFolder + "/" + name, -1);
        }
        supported(r);
        return r;
    }

    private void supported(ZipRecord r) throws CheckpointException {
        if (r.method() != ZipRecord.STORED && r.method() != ZipRecord.DEFLATED) {
            throw CheckpointException.of(Reason.UNSUPPORTED, "compression method " + r.method() + " is not supported (only stored and deflated)").inFile(file).at(r.fullName(), -1);
        }
    }

    private CheckpointException invalid(ZipRecord r, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).at(r.fullName(), -1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "ZipContainer[" + file + ", " + format + ", " + entries.names().size() + " records in '"
                + entries.topFolder + "/']";
    }
}
