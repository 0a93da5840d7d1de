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

    static final Comparator<TensorSpec> ORDER = Comparator
            .comparingInt((TensorSpec s) -> rank(s.dtype()))
            .thenComparing(TensorSpec::name, CodePoints.ORDER);

    private SafetensorsHeader() {
    }

    private static int rank(Dtype d) {
        int i = DTYPE_ORDER.indexOf(d);
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
        StringBuilder json = new StringBuilder(64 + 80 * ordered.size());
        json.append('{');
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
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
            json.append('}');
        }
        long offset = 0;
        for (TensorSpec s : ordered) {
            if (json.length() > 1) {
                json.append(',');
            }
            long end = Math.addExact(offset, s.byteLength());
            Json.serdeString(json, s.name());
            json.append(":{\"dtype\":\"").append(SafetensorsWriter.typeName(s.dtype()).orElseThrow())
                    .append("\",\"shape\":[");
            for (int i = 0; i < s.shape().rank(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                json.append(s.shape().dim(i));
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = Math.addExact(text.length, (8 - text.length % 8) % 8);
        if (padded > MAX_HEADER_BYTES) {
            throw WriterFailures.limit(null, "safetensors header would be " + padded
                    + " bytes; readers refuse more than " + MAX_HEADER_BYTES);
        }
        ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(text);
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return out.array();
    }
}
