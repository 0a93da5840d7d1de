package org.pthconvert.archive;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.BufferedStream;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.ChannelRangeStream;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.InPlaceStorage;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.reader.Unpickler;

/**
 * torch's pre-1.6 stream format ({@code _use_new_zipfile_serialization=False}): pickles for the
 * magic number, the protocol version (1001) and sys_info, then the main pickle, then a pickled list
 * of storage keys, then for each key in that order an 8-byte little-endian element count and the
 * raw bytes.
 *
 * <p>Opening skims the three small pickles, the main pickle and the key list with inert placeholder
 * hooks ({@link LegacySkimHooks}) to find where each starts and the start of the storage data;
 * torch.load unpickles every one of them with the full unpickler, so all are in {@link #pickles()}
 * for the audit. If skimming
 * fails, the error is kept and raised by {@link #storage} instead, so that the real read of the
 * pickle (which refuses dangerous files with a precise message) comes first.
 *
 * <p>Storage byte sizes are element counts times element widths, and the widths are only known from
 * the main pickle: {@link #storage} takes them from the caller and then walks every storage header
 * once, checking that each lies inside the file; bytes after the last storage are reported by
 * {@link #warnings()}.
 *
 * <p>Byte order: torch writes legacy storage data little-endian whatever the machine
 * ({@code THPStorage_writeFileRaw} converts on big-endian hosts, and {@code readFileRaw} converts
 * back), so {@link #byteOrder()} is always little-endian; sys_info's {@code little_endian} only tells
 * what the writing machine was ({@link #writerLittleEndian()}).
 */
public final class LegacyContainer implements CheckpointContainer {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final int PROTOCOL = 1001;
    private static final int STREAM_BUFFER = 1 << 16;
    static final String MAIN = "main pickle";
    static final String KEY_LIST = "storage key list";

    private final Path file;
    private final ByteSource channel;
    private final long fileSize;
    private final long mainStart;
    private final boolean writerLittleEndian;
    private final List<PickleStream> headers;
    private long mainEnd = -1;
    private List<String> keys;
    private long dataStart = -1;
    private CheckpointException skimError;
    private Map<String, Integer> layoutWidths;
    /** The map the current layout was last checked against, by identity. */
    private Map<String, Integer> layoutSource;
    private Map<String, long[]> layout;
    private final List<String> warnings = new ArrayList<>();

    private LegacyContainer(Path file, ByteSource channel, long fileSize, List<PickleStream> headers,
                            boolean writerLittleEndian, long mainStart) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileSize = fileSize;
        this.headers = headers;
        this.writerLittleEndian = writerLittleEndian;
        this.mainStart = mainStart;
        skim();
    }

    /**
     * Opens what torch.load reads as a legacy stream. Like torch, it unpickles the magic number
     * first and goes on only when it is torch's; then the protocol (1001 only) and sys_info. A file
     * whose first pickle is not the magic number opens as a {@link BarePickleContainer} refused
     * with {@code notACheckpoint} (or a plain "lacks torch's magic number" when null) once audited;
     * a broken header opens as one refused with what is wrong. The header pickles are skimmed with
     * inert hooks: they are judged by the audit of {@link #pickles()}, not here.
     */
    static CheckpointContainer open(ByteSource source, CheckpointException notACheckpoint) throws CheckpointException {
        Path file = source.path();
        try {
            long fileSize = source.size();
            List<PickleStream> headers = new ArrayList<>(3);
            long pos = 0;
            Header magic = header(source, file, fileSize, "magic number pickle", pos, headers);
            if (magic.error() != null || !(magic.value() instanceof PInt m) || !m.value().equals(MAGIC)) {
                CheckpointException why = notACheckpoint != null ? notACheckpoint : magic.error() != null
                        && magic.error().reason() != Reason.INVALID ? magic.error()
                        : at(file, "magic number pickle", 0, "the file starts with a pickle but not torch's magic"
                        + " number: not a PyTorch checkpoint");
                return new BarePickleContainer(file, source, headers, why);
            }
            pos = magic.end();
            Header protocol = header(source, file, fileSize, "protocol pickle", pos, headers);
            if (protocol.error() != null) {
                return new BarePickleContainer(file, source, headers, protocol.error());
            }
            if (!(protocol.value() instanceof PInt p) || !p.value().equals(BigInteger.valueOf(PROTOCOL))) {
                return new BarePickleContainer(file, source, headers, CheckpointException.of(Reason.UNSUPPORTED, "legacy serialization protocol " + protocol.value()
                        + " is not supported (only " + PROTOCOL + ")").inFile(file).at("protocol pickle", pos));
            }
            pos = protocol.end();
            Header sysInfo = header(source, file, fileSize, "sys_info pickle", pos, headers);
            if (sysInfo.error() != null) {
                return new BarePickleContainer(file, source, headers, sysInfo.error());
            }
            List<String> warnings = new ArrayList<>();
            boolean little;
            try {
                little = littleEndian(file, sysInfo.value(), pos, warnings);
            } catch (CheckpointException e) {
                return new BarePickleContainer(file, source, headers, e);
            }
            LegacyContainer c = new LegacyContainer(file, source, fileSize, List.copyOf(headers), little,
                    sysInfo.end());
            c.warnings.addAll(warnings);
            return c;
        } catch (IOException e) {
            Containers.closeQuietly(source);
            throw CheckpointIOException.unwrap(e, file);
        } catch (RuntimeException e) {
            Containers.closeQuietly(source);
            throw CheckpointException.of(Reason.INVALID, "malformed legacy checkpoint ("
                    + e + ")").inFile(file).causedBy(e);
        }
    }

    /** A header pickle's value and end, or why it could not be read. */
    private record Header(PickleValue value, long end, CheckpointException error) {
    }

    /** Skims the pickle at {@code pos} and adds it (to its STOP, or to the end of the file) to {@code out}. */
    private static Header header(ByteSource source, Path file, long fileSize, String name, long pos,
                                 List<PickleStream> out) throws IOException {
        Unpickler u = new Unpickler(new LegacySkimHooks(), PickleLimits.DEFAULTS, name, pos);
        try {
            PickleValue v = u.load(stream(source, file, pos, fileSize - pos, name));
            long end = pos + u.bytesConsumed();
            out.add(new PickleStream(name, pos, new Range(source, file, pos, end - pos, name)));
            return new Header(v, end, null);
        } catch (CheckpointException e) {
            out.add(new PickleStream(name, pos, new Range(source, file, pos, fileSize - pos, name)));
            return new Header(null, -1, e.inFile(file));
        } catch (CheckpointIOException e) {
            out.add(new PickleStream(name, pos, new Range(source, file, pos, fileSize - pos, name)));
            return new Header(null, -1, e.problem().inFile(file));
        }
    }

    private static InputStream stream(ByteSource source, Path file, long from, long length, String record) {
        return new BufferedStream(new ChannelRangeStream(source, from, length, file, record,
                ChannelRangeStream.NO_CRC), STREAM_BUFFER);
    }

    /** Opens one range of the file as a pickle. A class, not a lambda: README, "Start-up". */
    private static final class Range implements PickleStream.Opener {
        private final ByteSource source;
        private final Path file;
        private final long from;
        private final long length;
        private final String record;

        Range(ByteSource source, Path file, long from, long length, String record) {
            this.source = source;
            this.file = file;
            this.from = from;
            this.length = length;
            this.record = record;
        }

        @Override
        public InputStream open() {
            return stream(source, file, from, length, record);
        }
    }

    /** Opens the main pickle as {@link #openPickle} does when called. */
    private final class MainPickle implements PickleStream.Opener {
        @Override
        public InputStream open() {
            return openPickle();
        }
    }

    /**
     * Opens a file known to be a legacy checkpoint: reads its header pickles and locates its storage
     * data; a file whose header is not torch's is refused at once (its pickles are not audited: use
     * {@link Containers#open} for files from elsewhere).
     */
    public static LegacyContainer open(Path file) throws CheckpointException {
        CheckpointContainer c = open(Containers.openSource(file), null);
        if (c instanceof LegacyContainer legacy) {
            return legacy;
        }
        CheckpointException why = c.deferredRefusal();
        Containers.closeQuietly(c);
        throw why;
    }

    /**
     * The header pickles, the main pickle and the storage key list: torch.load unpickles each of
     * them with the full unpickler.
     */
    @Override
    public List<PickleStream> pickles() {
        List<PickleStream> out = new ArrayList<>(headers.size() + 2);
        out.add(new PickleStream(MAIN, mainStart, new MainPickle()));
        out.addAll(headers);
        if (mainEnd >= 0) {
            long end = dataStart >= 0 ? dataStart : fileSize;
            out.add(new PickleStream(KEY_LIST, mainEnd, new Range(channel, file, mainEnd, end - mainEnd, KEY_LIST)));
        }
        return out;
    }

    private static boolean littleEndian(Path file, PickleValue sysInfo, long pos, List<String> warnings)
            throws CheckpointException {
        if (!(sysInfo instanceof PDict d)) {
            throw at(file, "sys_info pickle", pos, "sys_info is a " + sysInfo.typeName() + ", not a dict");
        }
        PickleValue le = d.get("little_endian");
        if (le == null) {
            warnings.add("sys_info has no 'little_endian' entry");
            return true;
        }
        if (!(le instanceof PBool b)) {
            throw at(file, "sys_info pickle", pos, "sys_info['little_endian'] is a " + le.typeName() + ", not a bool");
        }
        return b.value();
    }

    /** Skims the main pickle and reads the key list; keeps any error for {@link #storage}. */
    private void skim() throws IOException {
        try {
            Unpickler main = new Unpickler(new LegacySkimHooks(), PickleLimits.DEFAULTS, MAIN, mainStart);
            main.load(stream(mainStart));
            mainEnd = mainStart + main.bytesConsumed();
            Unpickler list = new Unpickler(new LegacySkimHooks(), PickleLimits.DEFAULTS, KEY_LIST, mainEnd);
            keys = keyList(list.load(stream(mainEnd)), mainEnd);
            dataStart = mainEnd + list.bytesConsumed();
        } catch (CheckpointException e) {
            skimError = e.inFile(file);
        } catch (CheckpointIOException e) {
            skimError = e.problem().inFile(file);
        }
    }

    private List<String> keyList(PickleValue v, long at) throws CheckpointException {
        if (!(v instanceof PList list)) {
            throw at("storage key list", at, "the storage key list is a " + v.typeName() + ", not a list");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (PickleValue item : list.items()) {
            if (!(item instanceof PStr s)) {
                throw at("storage key list", at, "a storage key is a " + item.typeName() + ", not a str");
            }
            if (!seen.add(s.value())) {
                throw at("storage key list", at, "storage key '" + s.value() + "' is listed twice");
            }
        }
        return List.copyOf(seen);
    }

    private InputStream stream(long from) {
        return stream(channel, file, from, fileSize - from, null);
    }

    @Override
    public Path file() { return file; }

    @Override
    public Format format() { return Format.LEGACY; }

    /** Always little-endian: see the class comment. */
    @Override
    public ByteOrder byteOrder() { return ByteOrder.LITTLE_ENDIAN; }

    /** What sys_info says about the machine that wrote the file (its data is little-endian anyway). */
    public boolean writerLittleEndian() { return writerLittleEndian; }

    /** "main pickle"; offsets in it are file offsets when the reader passes {@link #pickleOffset()}. */
    @Override
    public String pickleRecordName() { return MAIN; }

    @Override
    public long pickleOffset() { return mainStart; }

    /** The main pickle, from its first byte to its STOP (to the end of the file if skimming failed). */
    @Override
    public InputStream openPickle() {
        long end = mainEnd >= 0 ? mainEnd : fileSize;
        return new BufferedStream(new ChannelRangeStream(channel, mainStart, end - mainStart, file, MAIN,
                ChannelRangeStream.NO_CRC), STREAM_BUFFER);
    }

    /** {@code data/<key>} for each storage, in file order (empty if the key list could not be read). */
    @Override
    public List<String> recordNames() {
        List<String> names = new ArrayList<>();
        if (keys != null) {
            for (String k : keys) {
                names.add("data/" + k);
            }
        }
        return names;
    }

    /** A legacy file has no named records besides its pickles: always fails. */
    @Override
    public InputStream openRecord(String name) throws CheckpointException {
        throw CheckpointException.of(Reason.UNSUPPORTED, "a legacy (non-zip) checkpoint has no records to open by name").inFile(file).at(name, -1);
    }

    /** The storage keys in file order; empty if the main pickle could not be skimmed. */
    public List<String> storageKeys() { return keys == null ? List.of() : keys; }

    /** Problems that do not stop reading, e.g. bytes after the last storage. */
    @Override
    public List<String> warnings() { return List.copyOf(warnings); }

    @Override
    public synchronized StorageBytes storage(String key, Map<String, Integer> elementSizes)
            throws IOException, CheckpointException {
        if (skimError != null) {
            throw skimError;
        }
        // Callers pass one map for all their storages: compare its contents only when it is another map
        // (comparing every key on every call would cost time quadratic in the number of storages).
        if (layout == null || elementSizes != layoutSource && !widthsAgree(elementSizes)) {
            layout = computeLayout(elementSizes);
        }
        layoutSource = elementSizes;
        long[] at = layout.get(key);
        if (at == null) {
            throw CheckpointException.of(Reason.INVALID, "the pickle names storage '"
                    + key + "' but the file's storage key list does not contain it").inFile(file).at("data/" + key, -1);
        }
        return new InPlaceStorage(channel, at[0], at[1], file, "data/" + key);
    }

    private boolean widthsAgree(Map<String, Integer> widths) {
        for (String k : keys) {
            if (!java.util.Objects.equals(widths.get(k), layoutWidths.get(k))) {
                return false;
            }
        }
        return true;
    }

    /** Walks the storage headers from the end of the key list: each one inside the file. */
    private Map<String, long[]> computeLayout(Map<String, Integer> widths) throws IOException, CheckpointException {
        Map<String, long[]> out = new HashMap<>();
        long pos = dataStart;
        try {
            for (String key : keys) {
                String record = "data/" + key;
                Integer w = widths.get(key);
                if (w == null || w <= 0) {
                    throw at(record, pos, "storage '" + key + "' is in the file's key list, but the pickle never uses"
                            + " it, so its element size (and where the next storage starts) is unknown");
                }
                if (pos > fileSize - 8) {
                    throw at(record, pos, "the header of storage '" + key + "' (byte " + pos
                            + ") is past the end of the file: truncated");
                }
                ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    if (channel.read(pos + b.position(), b) < 0) {
                        throw at(record, pos, "the file ends inside the header of storage '" + key + "': truncated");
                    }
                }
                long count = b.getLong(0);
                if (count < 0) {
                    throw at(record, pos, "storage '" + key + "' declares a negative element count " + count);
                }
                long bytes = Math.multiplyExact(count, (long) w);
                long start = pos + 8;
                if (bytes > fileSize - start) {
                    throw at(record, pos, "storage '" + key + "' (" + count + " elements of " + w + " bytes at byte "
                            + start + ") runs past the end of the file (" + fileSize + " bytes): truncated");
                }
                out.put(key, new long[] {start, bytes});
                pos = start + bytes;
            }
        } catch (ArithmeticException e) {
            throw at("data", pos, "a storage size overflows: corrupt file");
        }
        if (pos < fileSize) {
            String w = (fileSize - pos) + " bytes after the last storage (byte " + pos + " to the end) are ignored";
            if (!warnings.contains(w)) {
                warnings.add(w);
            }
        }
        layoutWidths = new HashMap<>(widths);
        return out;
    }

    private CheckpointException at(String record, long offset, String detail) {
        return at(file, record, offset, detail);
    }

    private static CheckpointException at(Path file, String record, long offset, String detail) {
        return CheckpointException.at(Reason.INVALID, file, record, offset, detail);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "LegacyContainer[" + file + ", " + storageKeys().size() + " storages]";
    }
}
