package org.pthconvert.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.BufferedStream;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.ChannelRangeStream;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.io.StorageBytes;

/**
 * torch's pre-1.0 tar format: tar members {@code storages}, {@code tensors} and {@code pickle}
 * ({@code sys_info} is never read). torch.load tries it first on any file whose first block
 * Python's {@code tarfile} accepts, and unpickles, with the full unpickler: in {@code storages} a
 * count, then per storage an argument tuple followed by raw data, then a list of views; in
 * {@code tensors} a count, then per tensor an argument tuple followed by a binary header; and the
 * main {@code pickle}. This container finds every one of those pickles ({@link #pickles()}) so that
 * they are audited; reading the tensors is not supported, so the file is then refused
 * ({@link #deferredRefusal()}).
 *
 * <p>Members are located from plain ustar/v7 headers; a member whose name another header could
 * change (PAX, GNU long names, sparse files) makes the layout uncertain: every such member's data
 * is audited as a pickle. Where the walk through a member stops (an element width it cannot tell),
 * the rest of the member is audited as one more pickle. In both cases the file's first bytes are
 * audited as a pickle too, since torch.load falls back to the legacy stream when {@code tarfile}
 * refuses a file.
 */
public final class TarContainer implements CheckpointContainer {
    private static final int BLOCK = 512;
    /** More members than this is not a torch tar (it writes four). */
    private static final int MAX_MEMBERS = 10_000;
    /** No torch tar holds more storages or tensors than this many pickles. */
    private static final long MAX_PICKLES = 1_000_000;

    private final Path file;
    private final ByteSource source;
    private final List<PickleStream> pickles;
    private final CheckpointException refusal;

    private TarContainer(Path file, ByteSource source, List<PickleStream> pickles, CheckpointException refusal) {
        this.file = file;
        this.source = source;
        this.pickles = List.copyOf(pickles);
        this.refusal = refusal;
    }

    /** A member's data range. */
    record Member(String name, char type, long dataOffset, long size) {
    }

    static TarContainer open(ByteSource source) throws CheckpointException {
        Path file = source.path();
        try {
            long size = source.size();
            List<Member> members = new ArrayList<>();
            CheckpointException problem = members(source, file, size, members);
            List<PickleStream> out = new ArrayList<>();
            boolean exotic = false;
            for (Member m : members) {
                exotic |= m.type() != '0' && m.type() != '\0' && m.type() != '5' && m.type() != '7';
            }
            for (Member m : members) {
                if (m.type() == '5') {
                    continue;
                }
                switch (exotic ? "" : m.name()) {
                    case "storages" -> problem = first(problem, TarMembers.storages(source, file, m, out));
                    case "tensors" -> problem = first(problem, TarMembers.tensors(source, file, m, out));
                    case "pickle" -> out.add(whole(source, file, m));
                    default -> {
                        if (exotic) {
                            out.add(whole(source, file, m));
                        }
                    }
                }
            }
            if (exotic || problem != null) {
                // tarfile may refuse what this walk could not follow; torch.load then unpickles from byte 0
                out.add(new PickleStream("pickle at byte 0", 0, () -> range(source, file, 0, size,
                        "pickle at byte 0")));
            }
            CheckpointException refusal = CheckpointException.of(Reason.UNSUPPORTED, "this is torch's old tar checkpoint format (torch < 1.0), which is not supported"
                    + (problem != null ? " (" + problem.detail() + ")" : "") + "; re-save it with a newer torch").inFile(file);
            return new TarContainer(file, source, out, refusal);
        } catch (IOException e) {
            Containers.closeQuietly(source);
            throw CheckpointIOException.unwrap(e, file);
        } catch (RuntimeException e) {
            Containers.closeQuietly(source);
            throw CheckpointException.of(Reason.INVALID, "malformed tar file (" + e + ")").inFile(file).causedBy(e);
        }
    }

    private static CheckpointException first(CheckpointException a, CheckpointException b) {
        return a != null ? a : b;
    }

    private static PickleStream whole(ByteSource source, Path file, Member m) {
        return new PickleStream(m.name(), 0, () -> range(source, file, m.dataOffset(), m.size(), m.name()));
    }

    static InputStream range(ByteSource source, Path file, long from, long length, String record) {
        return new BufferedStream(new ChannelRangeStream(source, from, length, file, record,
                ChannelRangeStream.NO_CRC), 1 << 16);
    }

    /** Walks the member headers into {@code out}; returns why the walk stopped early, or null. */
    private static CheckpointException members(ByteSource source, Path file, long size, List<Member> out)
            throws IOException, CheckpointException {
        long pos = 0;
        while (pos + BLOCK <= size && out.size() < MAX_MEMBERS) {
            byte[] h = ZipDirectory.readAt(source, file, pos, BLOCK);
            if (!isTarHeader(h)) {
                return null; // end of archive (zero blocks) or trailing garbage: tarfile stops here too
            }
            long len = octal(h, 124, 12);
            if (len < 0) {
                return CheckpointException.at(Reason.INVALID, file, null, pos, "a tar member has a bad size field");
            }
            String name = cString(h, 0, 100);
            if (startsWith(h, 257, "ustar")) {
                String prefix = cString(h, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            char type = (char) (h[156] & 0xff);
            long data = pos + BLOCK;
            if (len > size - data) {
                return CheckpointException.at(Reason.INVALID, file, name, pos, "the tar member runs past the end of"
                        + " the file: truncated");
            }
            out.add(new Member(name, type, data, len));
            pos = Math.addExact(data, Math.multiplyExact(Math.floorDiv(Math.addExact(len, BLOCK - 1), BLOCK),
                    (long) BLOCK));
        }
        return null;
    }

    /**
     * A block Python's {@code tarfile} takes for a member header: 512 bytes, not all zero, whose
     * checksum field (octal, or base-256) equals the sum of its bytes with that field read as spaces,
     * summed as unsigned or as signed bytes.
     */
    static boolean isTarHeader(byte[] h) {
        if (h.length < BLOCK) {
            return false;
        }
        boolean zero = true;
        long unsigned = 256;
        long signed = 256;
        for (int i = 0; i < BLOCK; i++) {
            zero &= h[i] == 0;
            if (i < 148 || i >= 156) {
                unsigned += h[i] & 0xff;
                signed += h[i];
            }
        }
        if (zero) {
            return false;
        }
        long sum = octal(h, 148, 8);
        return sum >= 0 && (sum == unsigned || sum == signed);
    }

    /**
     * A numeric field as tarfile's {@code nti} reads it: base-256 when the first byte is 0x80 or
     * 0xff, else the text up to the first NUL, stripped, as Python's {@code int(s, 8)} reads it
     * (sign, {@code 0o} prefix, underscores between digits). -1 when it is not a number (or negative).
     */
    static long octal(byte[] h, int at, int len) {
        int first = h[at] & 0xff;
        if (first == 0x80 || first == 0xff) {
            long n = 0;
            for (int i = 1; i < len; i++) {
                if (n > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                n = n << 8 | (h[at + i] & 0xff);
            }
            return first == 0xff ? -1 : n;
        }
        String s = cString(h, at, len);
        if (s == null) {
            return -1;
        }
        s = s.strip();
        if (s.isEmpty()) {
            return 0;
        }
        return PythonInt.parseOctal(s);
    }

    /** The bytes up to the first NUL as ASCII, or null when they are not ASCII. */
    private static String cString(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) {
            if (h[end] < 0) {
                return null;
            }
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] h, int at, String ascii) {
        byte[] p = ascii.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < p.length; i++) {
            if (h[at + i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    static long maxPickles() { return MAX_PICKLES; }

    @Override
    public List<PickleStream> pickles() { return pickles; }

    @Override
    public CheckpointException deferredRefusal() { return refusal; }

    @Override
    public Path file() { return file; }

    @Override
    public Format format() { return Format.LEGACY; }

    @Override
    public ByteOrder byteOrder() { return ByteOrder.LITTLE_ENDIAN; }

    @Override
    public String pickleRecordName() { return pickles.get(0).record(); }

    @Override
    public InputStream openPickle() throws IOException, CheckpointException { return pickles.get(0).open(); }

    @Override
    public List<String> recordNames() { return List.of(); }

    @Override
    public InputStream openRecord(String name) throws CheckpointException { throw refusal; }

    @Override
    public StorageBytes storage(String key, Map<String, Integer> elementSizes) throws CheckpointException {
        throw refusal;
    }

    @Override
    public void close() throws IOException { source.close(); }

    @Override
    public String toString() { return "TarContainer[" + file + ", " + pickles.size() + " pickles]"; }

    static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }
}
