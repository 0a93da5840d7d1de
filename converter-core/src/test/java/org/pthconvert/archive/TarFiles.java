package org.pthconvert.archive;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Hand-made tar files for tests: ustar headers with valid checksums, as Python's tarfile reads them. */
final class TarFiles {
    private TarFiles() {
    }

    /** Fills in the checksum of the header at {@code at}: the unsigned sum with the field as spaces. */
    static void checksum(byte[] tar, int at) {
        for (int i = 148; i < 156; i++) {
            tar[at + i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[at + i] & 0xff;
        }
        byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, tar, at + 148, 8);
    }

    /** A tar of regular files (name, content), then two zero blocks. */
    static byte[] tar(List<String> names, List<byte[]> contents) {
        List<byte[]> parts = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < names.size(); i++) {
            byte[] data = contents.get(i);
            byte[] block = new byte[512 + (data.length + 511) / 512 * 512];
            byte[] name = names.get(i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, block, 0, name.length);
            put(block, 100, String.format("%07o\0", 0644));
            put(block, 108, String.format("%07o\0", 0));
            put(block, 116, String.format("%07o\0", 0));
            put(block, 124, String.format("%011o\0", data.length));
            put(block, 136, String.format("%011o\0", 0));
            block[156] = '0';
            put(block, 257, "ustar\u000000");
            checksum(block, 0);
            System.arraycopy(data, 0, block, 512, data.length);
            parts.add(block);
            total += block.length;
        }
        byte[] out = new byte[total + 1024];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static void put(byte[] b, int at, String s) {
        byte[] x = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(x, 0, b, at, x.length);
    }
}
