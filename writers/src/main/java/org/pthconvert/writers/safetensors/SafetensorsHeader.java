package org.pthconvert.writers.safetensors;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.WriterFailures;

/**
 * The order and header the reference writer (safetensors 0.8.0, {@code tensor.rs: prepare})
 * produces: tensors sorted by dtype in {@link #DTYPE_ORDER} (descending alignment), then by name in
 * code point order; compact JSON with {@code __metadata__} first; padded with spaces to a multiple
 * of 8; preceded by its length as a little-endian u64.
 */
final class SafetensorsHeader {

    /** The reference's order: its {@code Dtype} enum, largest first. */
    static final List<Dtype> DTYPE_ORDER = List.of(
            Dtype.U64, Dtype.I64, Dtype.F64, Dtype.C64, Dtype.F32, Dtype.U32, Dtype.I32, Dtype.BF16, Dtype.F16,
            Dtype.U16, Dtype.I16, Dtype.F8_E5M2FNUZ, Dtype.F8_E4M3FNUZ, Dtype.F8_E8M0FNU, Dtype.F8_E4M3FN,
            Dtype.F8_E5M2, Dtype.I8, Dtype.U8, Dtype.BOOL);

    /** The reference loader refuses longer headers. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    // Classes, not lambdas or Comparator's combinators: no lambda is linked on the start path
    // (README, "Start-up").
    static final Comparator<TensorSpec> ORDER = new Order(false);

    /**
     * {@link #ORDER} for names without UTF-16 surrogates or units above them (below U+D800), where
     * UTF-16 order is code point order: {@link String#compareTo}, which the JIT makes compare many
     * characters at once (sorting 100,000 names compares 1.7 million pairs).
     */
    private static final Comparator<TensorSpec> PLAIN_ORDER = new Order(true);

    /** By dtype rank, then by name. */
    private static final class Order implements Comparator<TensorSpec> {
        private final boolean plainNames;

        Order(boolean plainNames) {
            this.plainNames = plainNames;
        }

        @Override
        public int compare(TensorSpec a, TensorSpec b) {
            int byDtype = Integer.compare(rank(a.dtype()), rank(b.dtype()));
            if (byDtype != 0) {
                return byDtype;
            }
            return plainNames ? a.name().compareTo(b.name()) : CodePoints.compare(a.name(), b.name());
        }
    }

    private SafetensorsHeader() {
    }

    /** Each dtype's position in {@link #DTYPE_ORDER}, by ordinal (the sort compares 100,000s of times). */
    private static final int[] RANKS = ranks();

    private static int[] ranks() {
        int[] r = new int[Dtype.values().length];
        java.util.Arrays.fill(r, -1);
        for (int i = 0; i < DTYPE_ORDER.size(); i++) {
            r[DTYPE_ORDER.get(i).ordinal()] = i;
        }
        return r;
    }

    private static int rank(Dtype d) {
        int i = RANKS[d.ordinal()];
        if (i < 0) {
            throw new IllegalArgumentException("safetensors has no " + d + " type");
        }
        return i;
    }

    static List<TensorSpec> sorted(Collection<TensorSpec> specs) {
        List<TensorSpec> list = new ArrayList<>(specs);
        boolean plain = true;
        for (int i = 0; i < list.size() && plain; i++) {
            plain = CodePoints.belowSurrogates(list.get(i).name());
        }
        list.sort(plain ? PLAIN_ORDER : ORDER);
        return list;
    }

    /**
     * The 8-byte length and the padded JSON for tensors already in write order, laid out back to
     * back from offset 0. Metadata keys are written in code point order (the reference writes its
     * hash map's random order; any order reads the same).
     */
    static ByteBuffer encode(List<TensorSpec> ordered, Map<String, String> metadata) throws CheckpointException {
        // Built as bytes in one pass (100,000 tensors make 8 MB of header): per-character appends to a
        // builder, then encoding, took a quarter of such a conversion. Sized from the names, plus what
        // an entry of a tensor of up to 4 dimensions takes beside its name, so that it seldom grows.
        long nameChars = 0;
        for (int i = 0; i < ordered.size(); i++) {
            nameChars += ordered.get(i).name().length();
        }
        HeaderBytes out = new HeaderBytes(Math.addExact(64 + nameChars, Math.multiplyExact(ordered.size(), 80)));
        out.reserve(8);
        out.put('{');
        String metaJson = metadataJson(metadata);
        if (metaJson != null) {
            out.putRaw(metaJson.getBytes(StandardCharsets.UTF_8));
        }
        long offset = 0;
        for (int i = 0; i < ordered.size(); i++) {
            if (i > 0 || metaJson != null) {
                out.put(',');
            }
            offset = entry(out, ordered.get(i), offset);
            if (out.size() > MAX_HEADER_BYTES + 8) {
                throw tooLong(out.size() - 8);
            }
        }
        out.put('}');
        long length = out.size() - 8;
        long padded = Math.addExact(length, (8 - length % 8) % 8);
        if (padded > MAX_HEADER_BYTES) {
            throw tooLong(padded);
        }
        while (out.size() < 8 + padded) {
            out.put(' ');
        }
        return out.finish(padded);
    }

    private static CheckpointException tooLong(long bytes) {
        return WriterFailures.limit(null, "safetensors header would be " + bytes
                + " bytes; readers refuse more than " + MAX_HEADER_BYTES);
    }

    /** {@code "__metadata__":{...}} with keys in code point order, or null when there is none. */
    private static String metadataJson(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        StringBuilder json = new StringBuilder("\"__metadata__\":{");
        Map<String, String> sortedMeta = new TreeMap<>(CodePoints.ORDER);
        sortedMeta.putAll(metadata);
        boolean first = true;
        for (Map.Entry<String, String> e : sortedMeta.entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            Json.serdeString(json, e.getKey());
            json.append(':');
            Json.serdeString(json, e.getValue());
        }
        return json.append('}').toString();
    }

    /** Each dtype's {@code :{"dtype":"F32","shape":[} by ordinal, made on first use. */
    private static final byte[][] DTYPE_OPENINGS = new byte[Dtype.values().length][];

    /** One tensor's {@code "name":{...}}; returns the next data offset. */
    private static long entry(HeaderBytes out, TensorSpec s, long offset) {
        long end = Math.addExact(offset, s.byteLength());
        out.serdeString(s.name());
        out.putRaw(opening(s.dtype()));
        for (int i = 0; i < s.shape().rank(); i++) {
            if (i > 0) {
                out.put(',');
            }
            out.putDecimal(s.shape().dim(i));
        }
        out.putRaw(DATA_OFFSETS);
        out.putDecimal(offset);
        out.put(',');
        out.putDecimal(end);
        out.put(']');
        out.put('}');
        return end;
    }

    private static final byte[] DATA_OFFSETS = "],\"data_offsets\":[".getBytes(StandardCharsets.US_ASCII);

    private static byte[] opening(Dtype d) {
        byte[] b = DTYPE_OPENINGS[d.ordinal()];
        if (b == null) {
            b = (":{\"dtype\":\"" + SafetensorsWriter.typeName(d).orElseThrow() + "\",\"shape\":[")
                    .getBytes(StandardCharsets.US_ASCII);
            DTYPE_OPENINGS[d.ordinal()] = b;
        }
        return b;
    }
}
