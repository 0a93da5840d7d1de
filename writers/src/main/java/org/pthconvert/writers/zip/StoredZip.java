package org.pthconvert.writers.zip;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.writers.OutputFiles;

/**
 * A zip of STORED records laid out the way torch's {@code PyTorchStreamWriter} (miniz) lays it out, so
 * that {@code torch.load(..., mmap=True)} maps the records in place (the pth writer), and whose data
 * can be copied file to file (npz, whose members NumPy reads with zipfile): every record STORED, its data on a
 * 64-byte boundary (padding in a local-header extra field "FB" filled with 'Z'), sizes and CRC in a
 * data descriptor and the central directory, DOS time and date zero, ZIP64 fields once a size or an
 * offset reaches 4 GiB, and always a ZIP64 end record. Records are written one after another; the
 * data of a record may arrive in chunks, or from a {@link TensorSource} ({@link #copy}). The CRC-32 of
 * a record whose bytes were copied straight to the file is joined from the CRC the source declares,
 * or else computed from the file on a worker thread while the next record is copied, and put into its
 * data descriptor and the central directory at {@link #finish}. Everything else (headers,
 * descriptors, small records, the directory) is gathered into large writes: a checkpoint of 100,000
 * small tensors would otherwise be 300,000 system calls.
 */
public final class StoredZip implements AutoCloseable {

    public static final int ALIGNMENT = 64;
    private static final long MAX32 = 0xFFFFFFFFL;
    private static final int LOCAL_HEADER = 30;
    private static final int FLAGS = 0x0808;   // data descriptor, UTF-8 names

    /** A written record, for the central directory. */
    private record Entry(byte[] name, long offset, long size, int crc) {
    }

    /** A record whose CRC is still being computed; it goes at {@code descriptor + 4} when known. */
    private record Pending(int entry, long descriptor, Future<Integer> crc) {
    }

    /** Tensors up to this size are gathered through the heap with the headers around them. */
    static final int GATHER = 1 << 16;
    /** Headers, descriptors, small records and the directory go out in writes of up to this size. */
    private static final int BUFFER = 1 << 20;

    private final FileChannel out;
    /** Bytes not yet written; the channel's position is {@link #position} minus what this holds. */
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long position;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    /** CRC of the heap bytes since {@link #crcSoFar} was last brought up to date. */
    private final CRC32 crc = new CRC32();
    private long crcPending;
    /** CRC of the open record's bytes before those {@link #crc} is counting. */
    private int crcSoFar;
    private final RangeCrc readBack;
    private byte[] openName;
    private long openOffset = -1;
    private long openData;
    private long openSize;
    private long written;
    private boolean copied;
    private boolean finished;

    /** @param out positioned where the zip starts; opened for reading too if {@link #appended} is used */
    public StoredZip(FileChannel out) throws IOException {
        this.out = out;
        this.position = out.position();
        this.readBack = new RangeCrc(out);
    }

    /** Writes a whole small record. */
    public void record(String name, byte[] data) throws IOException {
        record(name, ByteBuffer.wrap(data));
    }

    /** Writes a whole small record: the remaining bytes of {@code data}, which are consumed. */
    public void record(String name, ByteBuffer data) throws IOException {
        begin(name, data.remaining());
        data(data);
        end();
    }

    /** Starts a record of exactly {@code size} bytes: writes its local header and padding. */
    public void begin(String name, long size) throws IOException {
        begin(name.getBytes(StandardCharsets.UTF_8), size);
    }

    /**
     * {@link #begin(String, long)} with the name already in UTF-8, which the archive then owns (kept
     * for the central directory): a writer of many records makes the bytes in one go.
     */
    public void begin(byte[] n, long size) throws IOException {
        if (openName != null || finished) {
            throw new IllegalStateException("record " + new String(n, StandardCharsets.UTF_8)
                    + " started while another is open or after finish");
        }
        long offset = position;
        boolean big = size >= MAX32;
        boolean far = offset >= MAX32;
        int zip64 = big || far ? 4 + (big ? 16 : 0) + (far ? 8 : 0) : 0;
        long start = offset + LOCAL_HEADER + n.length + 4 + zip64;
        int pad = (int) ((ALIGNMENT - start % ALIGNMENT) % ALIGNMENT);
        ByteBuffer h = reserve(LOCAL_HEADER + n.length + zip64 + 4 + pad);
        h.putInt(0x04034b50).putShort((short) 0).putShort((short) FLAGS).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0)
                .putShort((short) n.length).putShort((short) (zip64 + 4 + pad)).put(n);
        if (zip64 > 0) {
            h.putShort((short) 1).putShort((short) (zip64 - 4));
            if (big) {
                h.putLong(size).putLong(size);
            }
            if (far) {
                h.putLong(offset);
            }
        }
        h.put((byte) 'F').put((byte) 'B').putShort((short) pad);
        for (int i = 0; i < pad; i++) {
            h.put((byte) 'Z');
        }
        openName = n;
        openOffset = offset;
        openData = position;
        openSize = size;
        written = 0;
        copied = false;
        crc.reset();
        crcPending = 0;
        crcSoFar = 0;
    }

    /** Appends bytes to the open record; {@code chunk} is consumed. */
    public void data(ByteBuffer chunk) throws IOException {
        if (openName == null) {
            throw new IllegalStateException("data outside a record");
        }
        int n = chunk.remaining();
        requireRoom(n);
        if (chunk.hasArray()) {
            crc.update(chunk.array(), chunk.arrayOffset() + chunk.position(), n); // no view made per record
        } else {
            crc.update(chunk.duplicate());
        }
        crcPending += n;
        writeFully(chunk);
        written += n;
    }

    /**
     * Appends the bytes of {@code source} to the open record and returns how many it gave. Small
     * sources go through the heap with the headers around them (one write for many records); larger
     * ones go file to file, their CRC-32 taken from what the source's zip directory declares for
     * them, or else read back from the page cache in the background.
     */
    public long copy(TensorSource source) throws IOException, CheckpointException {
        if (openName == null) {
            throw new IllegalStateException("data outside a record");
        }
        if (source.byteLength() <= GATHER) {
            return gather(source);
        }
        flush();
        long start = out.position();
        source.transferTo(out);
        long got = out.position() - start;
        position += got;
        appended(got, source.declaredCrc32());
        return got;
    }

    /** A small source read straight into the write buffer (GATHER is far below its size). */
    private long gather(TensorSource source) throws IOException, CheckpointException {
        int n = (int) source.byteLength();
        requireRoom(n);
        if (n > buffer.remaining()) {
            flush();
        }
        int start = buffer.position();
        try {
            source.readFully(buffer);
        } catch (java.nio.BufferOverflowException e) {
            buffer.position(start);
            throw new IllegalStateException("a source of " + n + " bytes gave more", e);
        }
        int got = buffer.position() - start;
        crc.update(buffer.array(), buffer.arrayOffset() + start, got);
        crcPending += got;
        written += got;
        position += got;
        return got;
    }

    /** Refuses {@code n} more bytes than the open record was begun with. */
    private void requireRoom(long n) {
        if (written + n > openSize) {
            throw new IllegalStateException("record " + new String(openName, StandardCharsets.UTF_8) + " is "
                    + openSize + " bytes; got more");
        }
    }

    /**
     * Counts {@code n} bytes just written to the channel, at {@link #position}, as the next data of the
     * open record; the record's CRC is then joined from {@code declared}, or else computed by reading
     * the record back.
     */
    void appended(long n, OptionalLong declared) {
        if (openName == null || n < 0 || written + n > openSize) {
            throw new IllegalStateException("appended " + n + " bytes outside a record or past its size");
        }
        written += n;
        if (declared.isPresent() && !copied) {
            crcSoFar = Crc32Combine.combine(Crc32Combine.combine(crcSoFar, (int) crc.getValue(), crcPending),
                    (int) declared.getAsLong(), n);
            crc.reset();
            crcPending = 0;
        } else {
            copied = true;
        }
    }

    /** Ends the open record with its data descriptor. */
    public void end() throws IOException {
        if (written != openSize) {
            throw new IllegalStateException("record " + new String(openName, StandardCharsets.UTF_8) + " got "
                    + written + " of " + openSize + " bytes");
        }
        // Joining onto a CRC of 0 gives the second CRC itself; the shortcut spares records made only of
        // heap bytes (100,000 of them in some checkpoints) a few hundred operations each.
        int c = crcSoFar == 0 ? (int) crc.getValue() : Crc32Combine.combine(crcSoFar, (int) crc.getValue(), crcPending);
        if (copied) {
            flush(); // the read-back reads the file
            pending.add(new Pending(entries.size(), position, readBack.submit(openData, openData + openSize)));
            c = 0;
        }
        boolean zip64 = openSize >= MAX32 || openOffset >= MAX32;
        ByteBuffer d = reserve(zip64 ? 24 : 16);
        d.putInt(0x08074b50).putInt(c);
        if (zip64) {
            d.putLong(openSize).putLong(openSize);
        } else {
            d.putInt((int) openSize).putInt((int) openSize);
        }
        entries.add(new Entry(openName, openOffset, openSize, c));
        openName = null;
    }

    /** Writes the central directory and the end records. */
    public void finish() throws IOException {
        if (openName != null) {
            throw new IllegalStateException("finish with a record open");
        }
        flush(); // the descriptors patched below are in the file
        for (Pending p : pending) {
            int c = RangeCrc.await(p.crc());
            ByteBuffer b = le(4).putInt(c).flip();
            while (b.hasRemaining()) {
                out.write(b, p.descriptor() + 4 + b.position());
            }
            Entry e = entries.get(p.entry());
            entries.set(p.entry(), new Entry(e.name(), e.offset(), e.size(), c));
        }
        pending.clear();
        readBack.close();
        long cdStart = position;
        for (Entry e : entries) {
            boolean big = e.size() >= MAX32;
            boolean far = e.offset() >= MAX32;
            int extra = big || far ? 4 + (big ? 16 : 0) + (far ? 8 : 0) : 0;
            ByteBuffer c = reserve(46 + e.name().length + extra);
            c.putInt(0x02014b50).putShort((short) 0).putShort((short) 0).putShort((short) FLAGS)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(e.crc())
                    .putInt((int) Math.min(e.size(), MAX32)).putInt((int) Math.min(e.size(), MAX32))
                    .putShort((short) e.name().length).putShort((short) extra).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) Math.min(e.offset(), MAX32)).put(e.name());
            if (extra > 0) {
                c.putShort((short) 1).putShort((short) (extra - 4));
                if (big) {
                    c.putLong(e.size()).putLong(e.size());
                }
                if (far) {
                    c.putLong(e.offset());
                }
            }
        }
        long cdEnd = position;
        long cdSize = cdEnd - cdStart;
        ByteBuffer end = reserve(56 + 20 + 22);
        end.putInt(0x06064b50).putLong(44).putShort((short) 0x031e).putShort((short) 0x2d).putInt(0).putInt(0)
                .putLong(entries.size()).putLong(entries.size()).putLong(cdSize).putLong(cdStart);
        end.putInt(0x07064b50).putInt(0).putLong(cdEnd).putInt(1);
        short count = (short) Math.min(entries.size(), 0xFFFF);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort(count).putShort(count)
                .putInt((int) Math.min(cdSize, MAX32)).putInt((int) Math.min(cdStart, MAX32)).putShort((short) 0);
        flush();
        finished = true;
    }

    /** Stops the background CRC work (after {@link #finish}, or on abort). */
    @Override
    public void close() {
        readBack.close();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The write buffer, with room for the {@code n} bytes the caller puts next at {@link #position}
     * (a header or descriptor: written in place, not made apart and copied; 300,000 of them for a
     * checkpoint of 100,000 tensors). {@code n} is at most a header's size, far below the buffer's.
     */
    private ByteBuffer reserve(int n) throws IOException {
        if (n > buffer.capacity()) {
            throw new IllegalStateException("a zip header of " + n + " bytes (a name longer than zip allows)");
        }
        if (n > buffer.remaining()) {
            flush();
        }
        position += n;
        return buffer;
    }

    /** Appends {@code b} at {@link #position}, through the buffer unless it is larger than the buffer. */
    private void writeFully(ByteBuffer b) throws IOException {
        int n = b.remaining();
        if (n > buffer.remaining()) {
            flush();
        }
        if (n > buffer.capacity() && b.isDirect()) {
            while (b.hasRemaining()) {
                out.write(b);
            }
        } else if (n > buffer.capacity()) {
            OutputFiles.copyThrough(b, buffer, out);   // a large heap buffer: see copyThrough
        } else {
            buffer.put(b);
        }
        position += n;
    }

    /** Writes what the buffer holds: the channel's position is then {@link #position}. */
    private void flush() throws IOException {
        OutputFiles.drain(buffer, out);
    }
}
