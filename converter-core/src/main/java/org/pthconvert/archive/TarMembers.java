package org.pthconvert.archive;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.reader.Unpickler;

/**
 * Finds the successive pickles of a tar checkpoint's {@code storages} and {@code tensors} members,
 * following torch's {@code legacy_load}: a count, then per item an argument tuple and binary data
 * whose length the tuple or a binary header gives, then (in {@code storages}) the list of views.
 * Pickles are skimmed with inert hooks; the audit judges them.
 */
final class TarMembers {
    private TarMembers() {
    }

    /** A pickle skimmed at a position: its value and where it ends. */
    private record Skimmed(PickleValue value, long end) {
    }

    /** Adds the pickles of {@code storages} to {@code out}; returns why the walk stopped early, or null. */
    static CheckpointException storages(ByteSource src, Path file, TarContainer.Member m, List<PickleStream> out)
            throws IOException {
        long end = m.dataOffset() + m.size();
        long pos = m.dataOffset();
        try {
            Skimmed count = skim(src, file, m, pos, "count", out);
            long n = count(file, m, count.value(), pos);
            pos = count.end();
            for (long i = 0; i < n; i++) {
                Skimmed args = skim(src, file, m, pos, "storage " + i, out);
                pos = args.end();
                int width = storageWidth(file, m, args.value(), pos);
                long elements = int64(src, file, m, pos);
                pos = Math.addExact(Math.addExact(pos, 8), Math.multiplyExact(elements, (long) width));
                if (elements < 0 || pos > end) {
                    throw CheckpointException.at(Reason.INVALID, file, m.name(), pos, "storage " + i
                            + " runs past the end of the member");
                }
            }
            skim(src, file, m, pos, "views", out);
            return null;
        } catch (CheckpointException e) {
            rest(src, file, m, pos, out);
            return e;
        } catch (ArithmeticException e) {
            rest(src, file, m, pos, out);
            return CheckpointException.at(Reason.INVALID, file, m.name(), pos, "a storage size overflows");
        }
    }

    /** Adds the pickles of {@code tensors} to {@code out}; returns why the walk stopped early, or null. */
    static CheckpointException tensors(ByteSource src, Path file, TarContainer.Member m, List<PickleStream> out)
            throws IOException {
        long end = m.dataOffset() + m.size();
        long pos = m.dataOffset();
        try {
            Skimmed count = skim(src, file, m, pos, "count", out);
            long n = count(file, m, count.value(), pos);
            pos = count.end();
            for (long i = 0; i < n; i++) {
                Skimmed args = skim(src, file, m, pos, "tensor " + i, out);
                pos = args.end();
                if (pos > end - 8) {
                    throw CheckpointException.at(Reason.INVALID, file, m.name(), pos, "tensor " + i
                            + " header runs past the end of the member");
                }
                long ndim = int64(src, file, m, pos) & 0xFFFFFFFFL; // an int32, then 4 ignored bytes
                if (ndim > 64) {
                    throw CheckpointException.at(Reason.INVALID, file, m.name(), pos, "tensor " + i + " has "
                            + ndim + " dimensions");
                }
                pos = Math.addExact(pos, 8 + 16 * ndim + 8);
            }
            return null;
        } catch (CheckpointException e) {
            rest(src, file, m, pos, out);
            return e;
        }
    }

    private static Skimmed skim(ByteSource src, Path file, TarContainer.Member m, long pos, String what,
                                List<PickleStream> out) throws IOException, CheckpointException {
        long end = m.dataOffset() + m.size();
        if (out.size() >= TarContainer.maxPickles()) {
            throw CheckpointException.at(Reason.LIMIT, file, m.name(), pos, "more than " + TarContainer.maxPickles()
                    + " pickles");
        }
        String record = m.name() + " (" + what + ")";
        if (pos >= end) {
            throw CheckpointException.at(Reason.INVALID, file, m.name(), pos, "the member ends before its " + what);
        }
        Unpickler u = new Unpickler(new LegacySkimHooks(), PickleLimits.DEFAULTS, record, pos);
        PickleValue v;
        try {
            v = u.load(TarContainer.range(src, file, pos, end - pos, record));
        } catch (CheckpointIOException e) {
            throw e.problem();
        }
        long stop = pos + u.bytesConsumed();
        out.add(new PickleStream(record, pos, () -> TarContainer.range(src, file, pos, stop - pos, record)));
        return new Skimmed(v, stop);
    }

    /** The rest of a member, from where the walk stopped, audited as one more pickle. */
    private static void rest(ByteSource src, Path file, TarContainer.Member m, long pos, List<PickleStream> out) {
        long end = m.dataOffset() + m.size();
        if (pos < end && (out.isEmpty() || out.get(out.size() - 1).baseOffset() != pos)) {
            String record = m.name() + " (from byte " + pos + ")";
            out.add(new PickleStream(record, pos, () -> TarContainer.range(src, file, pos, end - pos, record)));
        }
    }

    private static long count(Path file, TarContainer.Member m, PickleValue v, long pos) throws CheckpointException {
        if (v instanceof PInt i && i.value().signum() >= 0 && i.value().compareTo(BigInteger.valueOf(1L << 40)) < 0) {
            return i.value().longValue();
        }
        throw CheckpointException.at(Reason.INVALID, file, m.name(), pos, "the count is a " + v.typeName()
                + ", not a small int");
    }

    /** The element width of {@code (key, location, storage_type)}. */
    private static int storageWidth(Path file, TarContainer.Member m, PickleValue args, long pos)
            throws CheckpointException {
        if (args instanceof PTuple t && t.size() == 3 && t.get(2) instanceof PGlobal g) {
            var d = Dtype.fromStorageClass(g.name());
            if (d.isPresent() && d.get().byteWidth() > 0) {
                return d.get().byteWidth();
            }
        }
        throw CheckpointException.at(Reason.INVALID, file, m.name(), pos, "a storage's arguments are not"
                + " (key, location, storage type)");
    }

    private static long int64(ByteSource src, Path file, TarContainer.Member m, long pos)
            throws IOException, CheckpointException {
        if (pos > m.dataOffset() + m.size() - 8) {
            throw CheckpointException.at(Reason.INVALID, file, m.name(), pos, "the member ends inside a size");
        }
        ByteBuffer b = TarContainer.le(8);
        b.put(ZipDirectory.readAt(src, file, pos, 8)).flip();
        return b.getLong();
    }
}
