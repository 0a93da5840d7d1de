package org.pthconvert.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes torch-style protocol-2 pickles opcode by opcode (globals memoized as torch's pickler does)
 * and zips them into a checkpoint, for tests that need files no fixture has: a million tensors,
 * absurd sizes, deflated records.
 */
final class TorchPickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memo = new HashMap<>();
    private int nextMemo;

    TorchPickle() {
        out.write(0x80);
        out.write(2);
    }

    TorchPickle op(char c) {
        out.write(c);
        return this;
    }

    TorchPickle mark() {
        return op('(');
    }

    /** GLOBAL, written once and then fetched from the memo. */
    TorchPickle global(String module, String name) {
        String key = module + "\n" + name;
        Integer at = memo.get(key);
        if (at != null) {
            op('j');
            u32(at);
            return this;
        }
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        op('r');
        u32(nextMemo);
        memo.put(key, nextMemo++);
        return this;
    }

    /** LONG_BINPUT of the top of the stack; returns its memo index. */
    int memoize() {
        op('r');
        u32(nextMemo);
        return nextMemo++;
    }

    /** LONG_BINGET. */
    TorchPickle get(int index) {
        op('j');
        u32(index);
        return this;
    }

    TorchPickle str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    /** Any long: BININT when it fits 32 bits, else LONG1. */
    TorchPickle integer(long v) {
        if (v == (int) v) {
            op('J');
            u32(v);
            return this;
        }
        op('\u008a');
        out.write(8);
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    /** A tuple of longs (a size or stride). */
    TorchPickle longs(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return op('t');
    }

    /** {@code ('storage', torch.<type>, key, 'cpu', numel)} BINPERSID. */
    TorchPickle storage(String type, String key, long numel) {
        mark().str("storage").global(type.equals("UntypedStorage") ? "torch.storage" : "torch", type).str(key)
                .str("cpu").integer(numel).op('t');
        return op('Q');
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}. */
    TorchPickle tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        storage(storageType, key, numel).integer(offset).longs(size).longs(stride).op('\u0089');
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }

    /**
     * {@code _rebuild_tensor_v3(storage, offset, size, stride, False, OrderedDict(), torch.<dtype>)}: torch.save's
     * form for an UntypedStorage (numel in bytes); a typed storage here is what torch.save never writes.
     */
    TorchPickle tensorV3(String storageType, String key, long numel, long offset, long[] size, long[] stride,
                         String dtype) {
        global("torch._utils", "_rebuild_tensor_v3").mark();
        storage(storageType, key, numel).integer(offset).longs(size).longs(stride).op('\u0089');
        global("collections", "OrderedDict").op(')').op('R');
        global("torch", dtype);
        return op('t').op('R');
    }

    /**
     * {@code _rebuild_qtensor(QUInt8Storage key, 0, size, contiguous stride, (torch.<scheme>, scales,
     * zero_points, axis), False, OrderedDict())} where scales and zero points are 1-d tensors over the
     * given storages (element counts {@code channels}).
     */
    TorchPickle qtensorPerChannel(String key, long numel, long[] size, long[] stride, String scheme,
                                  String scaleType, String scaleKey, String zeroType, String zeroKey, long channels,
                                  long axis) {
        global("torch._utils", "_rebuild_qtensor").mark();
        storage("QUInt8Storage", key, numel).integer(0).longs(size).longs(stride);
        mark().global("torch", scheme);
        tensor(scaleType, scaleKey, channels, 0, new long[] {channels}, new long[] {1});
        tensor(zeroType, zeroKey, channels, 0, new long[] {channels}, new long[] {1});
        integer(axis).op('t').op('\u0089');
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }

    /** Starts an OrderedDict and its SETITEMS: add key/value pairs, then {@link #endDict()}. */
    TorchPickle beginDict() {
        return global("collections", "OrderedDict").op(')').op('R').mark();
    }

    TorchPickle endDict() {
        return op('u');
    }

    byte[] stop() {
        op('.');
        return out.toByteArray();
    }

    private void u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    /** A zip checkpoint: {@code top/data.pkl}, {@code top/byteorder}, then the given storage records. */
    static void zip(Path file, byte[] pickle, Map<String, byte[]> storages, boolean deflate) {
        zip(file, pickle, storages, deflate, "little");
    }

    /** {@link #zip(Path, byte[], Map, boolean)} whose {@code byteorder} record says {@code order}. */
    static void zip(Path file, byte[] pickle, Map<String, byte[]> storages, boolean deflate, String order) {
        try (OutputStream os = Files.newOutputStream(file);
             ZipOutputStream z = new ZipOutputStream(new java.io.BufferedOutputStream(os, 1 << 16))) {
            z.setLevel(Deflater.BEST_SPEED);
            put(z, "ckpt/data.pkl", pickle, false);
            put(z, "ckpt/byteorder", order.getBytes(StandardCharsets.US_ASCII), false);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                put(z, "ckpt/data/" + e.getKey(), e.getValue(), deflate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void put(ZipOutputStream z, String name, byte[] data, boolean deflate) throws IOException {
        ZipEntry e = new ZipEntry(name);
        if (!deflate) {
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            e.setCrc(crc.getValue());
        }
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}
