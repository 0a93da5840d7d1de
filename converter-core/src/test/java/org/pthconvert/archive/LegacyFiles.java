package org.pthconvert.archive;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds legacy (non-zip) torch checkpoints opcode by opcode, as torch.save(..., _use_new_zipfile_serialization=False) does. */
final class LegacyFiles {
    private LegacyFiles() {
    }

    /** A protocol-2 pickle writer with just the opcodes torch's legacy files use. */
    static final class P {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        P() {
            out.write(0x80);
            out.write(2);
        }

        P op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        P str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            le32(b.length);
            out.writeBytes(b);
            return this;
        }

        P integer(long v) {
            if (v >= 0 && v < 256) {
                return op('K', (int) v);
            }
            op('J');
            le32((int) v);
            return this;
        }

        P global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        P mark() { return op('('); }

        P tuple() { return op('t'); }

        P reduce() { return op('R'); }

        P binpersid() { return op('Q'); }

        P emptyTuple() { return op(')'); }

        P emptyDict() { return op('}'); }

        P emptyList() { return op(']'); }

        P setitems() { return op('u'); }

        P appends() { return op('e'); }

        P none() { return op('N'); }

        P bool(boolean b) { return op(b ? 0x88 : 0x89); }

        P build() { return op('b'); }

        P newobj() { return op(0x81); }

        byte[] stop() {
            out.write('.');
            return out.toByteArray();
        }

        private void le32(int v) {
            for (int i = 0; i < 4; i++) {
                out.write((v >>> (8 * i)) & 0xff);
            }
        }
    }

    static byte[] magic() {
        return new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
            0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
    }

    static byte[] protocol(int v) {
        return new P().integer(v).stop();
    }

    static byte[] sysInfo(boolean little) {
        return new P().emptyDict().mark()
                .str("protocol_version").integer(1001)
                .str("little_endian").bool(little)
                .str("type_sizes").emptyDict().mark().str("short").integer(2).str("int").integer(4)
                .str("long").integer(4).setitems()
                .setitems().stop();
    }

    /** {@code ('storage', torch.<cls>, key, 'cpu', numel, None)} as BINPERSID. */
    static P storage(P p, String cls, String key, long numel) {
        return p.mark().str("storage").global("torch", cls).str(key).str("cpu").integer(numel).none().tuple()
                .binpersid();
    }

    /** {@code OrderedDict(w=tensor(FloatStorage key1, [2, 3]), b=tensor(LongStorage key2, [2]))}. */
    static byte[] stateDict(String key1, String key2) {
        P p = new P().global("collections", "OrderedDict").emptyTuple().reduce().mark();
        p.str("w").global("torch._utils", "_rebuild_tensor_v2").mark();
        storage(p, "FloatStorage", key1, 6).integer(0).mark().integer(2).integer(3).tuple()
                .mark().integer(3).integer(1).tuple().bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        p.str("b").global("torch._utils", "_rebuild_tensor_v2").mark();
        storage(p, "LongStorage", key2, 2).integer(0).mark().integer(2).tuple()
                .mark().integer(1).tuple().bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        return p.setitems().stop();
    }

    static byte[] keyList(String... keys) {
        P p = new P().emptyList().mark();
        for (String k : keys) {
            p.str(k);
        }
        return p.appends().stop();
    }

    static byte[] storageData(long count, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(count).put(data);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
