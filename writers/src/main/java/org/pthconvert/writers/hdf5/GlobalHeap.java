package org.pthconvert.writers.hdf5;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The global heap collections (HDF5 spec III.E, signature {@code GCOL}) that hold the values of
 * variable-length string attributes; jhdf 0.13 reads them but cannot write them. Strings are
 * added first, then each collection is given an address, then encoded. Objects have reference
 * count 0 and no string is shared, as the HDF5 library writes them, so that rewriting one
 * attribute in place never frees another's value.
 */
final class GlobalHeap {

    private static final int HEADER = 16;
    private static final int OBJECT_HEADER = 16;
    /** The HDF5 library's smallest collection; a larger object gets a collection of its own size. */
    private static final int MIN_COLLECTION = 4096;
    /** Where a new collection is started: readers load a whole collection at once. */
    private static final long SOFT_LIMIT = 1 << 20;
    private static final int MAX_OBJECTS = 0xFFFF;

    /** A string's place: collection number and object index (from 1). */
    record Ref(int collection, int index, int length) {
    }

    private final List<List<byte[]>> collections = new ArrayList<>();
    private final List<Long> used = new ArrayList<>();
    private long[] addresses;

    Ref add(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        long size = Math.addExact(OBJECT_HEADER, pad8(utf8.length));
        int last = collections.size() - 1;
        if (last < 0 || collections.get(last).size() >= MAX_OBJECTS
                || used.get(last) + size > SOFT_LIMIT && used.get(last) > HEADER) {
            collections.add(new ArrayList<>());
            used.add((long) HEADER);
            last++;
        }
        collections.get(last).add(utf8);
        used.set(last, used.get(last) + size);
        return new Ref(last, collections.get(last).size(), utf8.length);
    }

    int count() {
        return collections.size();
    }

    /** Collection {@code i}'s size in bytes: what its objects need, at least 4096, free space whole. */
    long size(int i) {
        long need = used.get(i);
        long size = Math.max(MIN_COLLECTION, need);
        long free = size - need;
        if (free > 0 && free < OBJECT_HEADER) {
            size += OBJECT_HEADER - free;   // room for the free-space object's own header
        }
        return size;
    }

    void place(long[] collectionAddresses) {
        addresses = collectionAddresses.clone();
    }

    /** The 16 bytes of a variable-length value: length, collection address, object index. */
    byte[] id(Ref ref) {
        return new Hdf5Types.Bytes().u32(ref.length()).u64(addresses[ref.collection()]).u32(ref.index()).toArray();
    }

    /** The 16 bytes of a value before {@link #place}: same size, for measuring headers. */
    static byte[] placeholderId() {
        return new byte[16];
    }

    byte[] encode(int i) {
        long size = size(i);
        Hdf5Types.Bytes b = new Hdf5Types.Bytes();
        b.raw("GCOL".getBytes(StandardCharsets.US_ASCII)).u8(1).zeros(3).u64(size);
        int index = 1;
        for (byte[] value : collections.get(i)) {
            b.u16(index++).u16(0).u32(0).u64(value.length).raw(value).zeros(pad8(value.length) - value.length);
        }
        long free = size - b.size();
        if (free > 0) {
            b.u16(0).u16(0).u32(0).u64(free).zeros(Math.toIntExact(free - OBJECT_HEADER));
        }
        return b.toArray();
    }

    private static int pad8(int n) {
        return Math.toIntExact((n + 7L) & ~7L);
    }
}
