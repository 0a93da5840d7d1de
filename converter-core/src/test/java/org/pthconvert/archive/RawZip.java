package org.pthconvert.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip files byte by byte the way torch does (flags 0x0808, zero sizes in local headers,
 * "FB" padding extra field to 64-byte alignment), optionally as ZIP64, and remembers where every
 * structure went so tests can corrupt it.
 */
final class RawZip {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private record Entry(String name, byte[] data, int method, int flags, boolean rawName, byte[] nameBytes) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private boolean zip64;
    private int align = 64;
    private boolean dataDescriptor = true;
    private int[] centralOrder;

    RawZip zip64(boolean z) {
        this.zip64 = z;
        return this;
    }

    RawZip align(int a) {
        this.align = a;
        return this;
    }

    /** Writes the central directory in this order of the entries (their data stays in the order added). */
    RawZip centralOrder(int... order) {
        this.centralOrder = order;
        return this;
    }

    RawZip dataDescriptor(boolean dd) {
        this.dataDescriptor = dd;
        return this;
    }

    RawZip add(String name, byte[] data) {
        return add(name, data, STORED);
    }

    RawZip add(String name, String text) {
        return add(name, text.getBytes(StandardCharsets.UTF_8), STORED);
    }

    RawZip add(String name, byte[] data, int method) {
        entries.add(new Entry(name, data, method, 0x0800, false, name.getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    /** An entry whose name bytes are given as is, with the given flags (e.g. 0 for CP437). */
    RawZip addRaw(byte[] nameBytes, int flags, byte[] data) {
        entries.add(new Entry(null, data, STORED, flags, true, nameBytes));
        return this;
    }

    /** Where things went in the built file. */
    static final class Built {
        byte[] bytes;
        long cdOffset;
        long eocdOffset;
        long zip64EocdOffset = -1;
        final Map<String, Long> local = new LinkedHashMap<>();
        final Map<String, Long> central = new LinkedHashMap<>();
        final Map<String, Long> data = new LinkedHashMap<>();

        void putU16(long at, int v) {
            bytes[(int) at] = (byte) v;
            bytes[(int) at + 1] = (byte) (v >>> 8);
        }

        void putU32(long at, long v) {
            for (int i = 0; i < 4; i++) {
                bytes[(int) at + i] = (byte) (v >>> (8 * i));
            }
        }

        void putU64(long at, long v) {
            for (int i = 0; i < 8; i++) {
                bytes[(int) at + i] = (byte) (v >>> (8 * i));
            }
        }
    }

    Built build() {
        Built b = new Built();
        Out out = new Out();
        List<long[]> meta = new ArrayList<>();
        for (Entry e : entries) {
            byte[] payload = e.method == DEFLATED ? deflate(e.data) : e.data;
            CRC32 crc = new CRC32();
            crc.update(e.data);
            long lho = out.size();
            String key = key(e);
            b.local.put(key, lho);
            int flags = e.flags | (dataDescriptor ? 0x08 : 0);
            byte[] z64 = zip64 ? le64pair(e.data.length, payload.length) : new byte[0];
            long base = lho + 30 + e.nameBytes.length + (z64.length > 0 ? 4 + z64.length : 0);
            int pad = align > 0 ? (int) ((align - (base + 4) % align) % align) : -1;
            out.u32(0x04034b50);
            out.u16(zip64 ? 45 : 20);
            out.u16(flags);
            out.u16(e.method);
            out.u16(0);
            out.u16(0);
            out.u32(dataDescriptor ? 0 : crc.getValue());
            out.u32(dataDescriptor ? 0 : zip64 ? 0xFFFFFFFFL : payload.length);
            out.u32(dataDescriptor ? 0 : zip64 ? 0xFFFFFFFFL : e.data.length);
            out.u16(e.nameBytes.length);
            out.u16((z64.length > 0 ? 4 + z64.length : 0) + (pad >= 0 ? 4 + pad : 0));
            out.write(e.nameBytes);
            if (z64.length > 0) {
                out.u16(1);
                out.u16(z64.length);
                out.write(z64);
            }
            if (pad >= 0) {
                out.u16(0x4246);
                out.u16(pad);
                out.write("Z".repeat(pad).getBytes(StandardCharsets.US_ASCII));
            }
            b.data.put(key, (long) out.size());
            out.write(payload);
            if (dataDescriptor) {
                out.u32(0x08074b50);
                out.u32(crc.getValue());
                if (zip64) {
                    out.u64(payload.length);
                    out.u64(e.data.length);
                } else {
                    out.u32(payload.length);
                    out.u32(e.data.length);
                }
            }
            meta.add(new long[] {lho, crc.getValue(), payload.length, e.data.length, flags});
        }
        long cdOffset = out.size();
        b.cdOffset = cdOffset;
        for (int n = 0; n < entries.size(); n++) {
            int i = centralOrder == null ? n : centralOrder[n];
            Entry e = entries.get(i);
            long[] m = meta.get(i);
            b.central.put(key(e), (long) out.size());
            out.u32(0x02014b50);
            out.u16(zip64 ? 45 : 20);
            out.u16(zip64 ? 45 : 20);
            out.u16((int) m[4]);
            out.u16(e.method);
            out.u16(0);
            out.u16(0);
            out.u32(m[1]);
            out.u32(zip64 ? 0xFFFFFFFFL : m[2]);
            out.u32(zip64 ? 0xFFFFFFFFL : m[3]);
            out.u16(e.nameBytes.length);
            out.u16(zip64 ? 28 : 0);
            out.u16(0);
            out.u16(0);
            out.u16(0);
            out.u32(0);
            out.u32(zip64 ? 0xFFFFFFFFL : m[0]);
            out.write(e.nameBytes);
            if (zip64) {
                out.u16(1);
                out.u16(24);
                out.u64(m[3]);
                out.u64(m[2]);
                out.u64(m[0]);
            }
        }
        long cdSize = out.size() - cdOffset;
        if (zip64) {
            b.zip64EocdOffset = out.size();
            out.u32(0x06064b50);
            out.u64(44);
            out.u16(45);
            out.u16(45);
            out.u32(0);
            out.u32(0);
            out.u64(entries.size());
            out.u64(entries.size());
            out.u64(cdSize);
            out.u64(cdOffset);
            out.u32(0x07064b50);
            out.u32(0);
            out.u64(b.zip64EocdOffset);
            out.u32(1);
        }
        b.eocdOffset = out.size();
        out.u32(0x06054b50);
        out.u16(0);
        out.u16(0);
        out.u16(zip64 ? 0xFFFF : entries.size());
        out.u16(zip64 ? 0xFFFF : entries.size());
        out.u32(zip64 ? 0xFFFFFFFFL : cdSize);
        out.u32(zip64 ? 0xFFFFFFFFL : cdOffset);
        out.u16(0);
        b.bytes = out.toByteArray();
        return b;
    }

    private static String key(Entry e) {
        return e.name != null ? e.name : new String(e.nameBytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] le64pair(long a, long c) {
        Out o = new Out();
        o.u64(a);
        o.u64(c);
        return o.toByteArray();
    }

    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            int n = d.deflate(buf);
            bos.write(buf, 0, n);
        }
        d.end();
        return bos.toByteArray();
    }

    private static final class Out extends ByteArrayOutputStream {
        void u16(int v) {
            write(v & 0xff);
            write((v >>> 8) & 0xff);
        }

        void u32(long v) {
            for (int i = 0; i < 4; i++) {
                write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        void u64(long v) {
            for (int i = 0; i < 8; i++) {
                write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        @Override
        public void write(byte[] b) {
            write(b, 0, b.length);
        }
    }
}
