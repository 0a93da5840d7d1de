package org.pthconvert.writers.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    // One plain lambda: Comparator's combinators spin classes at run time that the start-up archive
    // does not hold (milliseconds of every conversion).
    static final Comparator<TensorSpec> ORDER = (a, b) -> {
        int byDtype = Integer.compare(rank(a.dtype()), rank(b.dtype()));
        return byDtype != 0 ? byDtype : CodePoints.compare(a.name(), b.name());
    };

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
        list.sort(ORDER);
        return list;
    }

    /**
     * The 8-byte length and the padded JSON for tensors already in write order, laid out back to
     * back from offset 0. Metadata keys are written in code point order (the reference writes its
     * hash map's random order; any order reads the same).
     */
    static byte[] encode(List<TensorSpec> ordered, Map<String, String> metadata) throws CheckpointException {
        // Two passes over small per-entry texts, so that the header (100,000 tensors make 8 MB) is built
        // once, in its final array, and not also as a builder, a string and a copy of each.
        StringBuilder entry = new StringBuilder(256);
        long length = 2; // { and }
        long offset = 0;
        String metaJson = metadataJson(metadata);
        byte[] meta = metaJson == null ? null : metaJson.getBytes(StandardCharsets.UTF_8);
        if (meta != null) {
            length += meta.length;
        }
        for (int i = 0; i < ordered.size(); i++) {
            offset = entry(entry, ordered.get(i), offset, i > 0 || meta != null);
            length += isAscii(entry) ? entry.length() : utf8(entry).length;
        }
        long padded = Math.addExact(length, (8 - length % 8) % 8);
        if (padded > MAX_HEADER_BYTES) {
            throw WriterFailures.limit(null, "safetensors header would be " + padded
                    + " bytes; readers refuse more than " + MAX_HEADER_BYTES);
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put((byte) '{');
        if (meta != null) {
            out.put(meta);
        }
        offset = 0;
        for (int i = 0; i < ordered.size(); i++) {
            offset = entry(entry, ordered.get(i), offset, i > 0 || meta != null);
            putUtf8(out, entry);
        }
        out.put((byte) '}');
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return out.array();
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

    /** One tensor's {@code "name":{...}} into {@code sb} (cleared first); returns the next data offset. */
    private static long entry(StringBuilder sb, TensorSpec s, long offset, boolean comma) {
        sb.setLength(0);
        if (comma) {
            sb.append(',');
        }
        long end = Math.addExact(offset, s.byteLength());
        Json.serdeString(sb, s.name());
        sb.append(":{\"dtype\":\"").append(SafetensorsWriter.typeName(s.dtype()).orElseThrow())
                .append("\",\"shape\":[");
        for (int i = 0; i < s.shape().rank(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(s.shape().dim(i));
        }
        sb.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
        return end;
    }

    private static boolean isAscii(StringBuilder sb) {
        for (int i = 0; i < sb.length(); i++) {
            if (sb.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Names with other characters (rare) take the JDK's encoder, in both passes, so they agree. */
    private static byte[] utf8(StringBuilder sb) {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void putUtf8(ByteBuffer out, StringBuilder sb) {
        if (isAscii(sb)) {
            for (int i = 0; i < sb.length(); i++) {
                out.put((byte) sb.charAt(i));
            }
        } else {
            out.put(utf8(sb));
        }
    }
}
