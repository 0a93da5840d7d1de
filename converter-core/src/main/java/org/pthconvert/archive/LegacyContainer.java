package org.pthconvert.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.ChannelRangeStream;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.InPlaceStorage;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.pickle.DataOnlyHooks;
import org.pthconvert.pickle.PickleHooks;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.Unpickler;

/**
 * torch's pre-1.6 stream format ({@code _use_new_zipfile_serialization=False}): pickles for the
 * magic number, the protocol version (1001) and sys_info, then the main pickle, then a pickled list
 * of storage keys, then for each key in that order an 8-byte little-endian element count and the
 * raw bytes.
 *
 * <p>Opening reads the three small pickles and skims the main pickle with inert placeholder hooks
 * ({@link LegacySkimHooks}) to find the key list and the start of the storage data. If skimming
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
    /** The three header pickles are a few dozen bytes each. */
    private static final PickleLimits SMALL = PickleLimits.DEFAULTS.withMaxPickleBytes(64 * 1024);
    private static final int STREAM_BUFFER = 1 << 16;
    static final String MAIN = "main pickle";

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final long mainStart;
    private final boolean writerLittleEndian;
    private long mainEnd = -1;
    private List<String> keys;
    private long dataStart = -1;
    private CheckpointException skimError;
    private Map<String, Integer> layoutWidths;
    /** The map the current layout was last checked against, by identity. */
    private Map<String, Integer> layoutSource;
    private Map<String, long[]> layout;
    private final List<String> warnings = new ArrayList<>();

    private LegacyContainer(Path file, FileChannel channel) throws IOException, CheckpointException {
        this.file = file;
        this.channel = channel;
        this.fileSize = channel.size();
        long pos = 0;
        Unpickler u = new Unpickler(new DataOnlyHooks(), SMALL, "magic number pickle", pos);
        PickleValue magic = u.load(stream(pos));
        if (!(magic instanceof PInt m) || !m.value().equals(MAGIC)) {
            throw at("magic number pickle", 0, "the file starts with a pickle but not torch's magic number: not a"
                    + " PyTorch checkpoint");
        }
        pos += u.bytesConsumed();
        u = new Unpickler(new DataOnlyHooks(), SMALL, "protocol pickle", pos);
        PickleValue protocol = u.load(stream(pos));
        if (!(protocol instanceof PInt p) || !p.value().equals(BigInteger.valueOf(PROTOCOL))) {
            throw new CheckpointException(Reason.UNSUPPORTED, file, "protocol pickle", pos, null,
                    "legacy serialization protocol " + protocol + " is not supported (only " + PROTOCOL + ")", null);
        }
        pos += u.bytesConsumed();
        u = new Unpickler(new DataOnlyHooks(), SMALL, "sys_info pickle", pos);
        PickleValue sysInfo = u.load(stream(pos));
        this.writerLittleEndian = littleEndian(sysInfo, pos);
        pos += u.bytesConsumed();
        this.mainStart = pos;
        skim();
    }

    /** Opens a legacy checkpoint: reads its header pickles and locates its storage data. */
    public static LegacyContainer open(Path file) throws CheckpointException {
        return open(file, Containers.openChannel(file));
    }

    /** The same from an open channel, which the container owns from here on (closed on failure). */
    static LegacyContainer open(Path file, FileChannel ch) throws CheckpointException {
        try {
            return new LegacyContainer(file, ch);
        } catch (CheckpointException e) {
            closeQuietly(ch);
            throw e.inFile(file);
        } catch (IOException e) {
            closeQuietly(ch);
            throw CheckpointIOException.unwrap(e, file);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw new CheckpointException(Reason.INVALID, file, null, -1, null, "malformed legacy checkpoint ("
                    + e + ")", e);
        }
    }

    private boolean littleEndian(PickleValue sysInfo, long pos) throws CheckpointException {
        if (!(sysInfo instanceof PDict d)) {
            throw at("sys_info pickle", pos, "sys_info is a " + sysInfo.typeName() + ", not a dict");
        }
        PickleValue le = d.get("little_endian");
        if (le == null) {
            warnings.add("sys_info has no 'little_endian' entry");
            return true;
        }
        if (!(le instanceof PBool b)) {
            throw at("sys_info pickle", pos, "sys_info['little_endian'] is a " + le.typeName() + ", not a bool");
        }
        return b.value();
    }

    /** Skims the main pickle and reads the key list; keeps any error for {@link #storage}. */
    private void skim() throws IOException {
        try {
            Unpickler main = new Unpickler(new LegacySkimHooks(), PickleLimits.DEFAULTS, MAIN, mainStart);
            main.load(stream(mainStart));
            mainEnd = mainStart + main.bytesConsumed();
            Unpickler list = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, "storage key list", mainEnd);
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
        return new BufferedInputStream(new ChannelRangeStream(channel, from, fileSize - from, file, null,
                ChannelRangeStream.NO_CRC), STREAM_BUFFER);
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
        return new BufferedInputStream(new ChannelRangeStream(channel, mainStart, end - mainStart, file, MAIN,
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
        throw new CheckpointException(Reason.UNSUPPORTED, file, name, -1, null,
                "a legacy (non-zip) checkpoint has no records to open by name", null);
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
            throw new CheckpointException(Reason.INVALID, file, "data/" + key, -1, null, "the pickle names storage '"
                    + key + "' but the file's storage key list does not contain it", null);
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
                    if (channel.read(b, pos + b.position()) < 0) {
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
        return CheckpointException.at(Reason.INVALID, file, record, offset, detail);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing with a better message
        }
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
