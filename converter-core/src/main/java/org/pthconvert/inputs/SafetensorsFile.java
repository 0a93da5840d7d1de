package org.pthconvert.inputs;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.tensor.Shape;

/**
 * One safetensors file's header, validated as the reference loader ({@code safetensors/src/tensor.rs})
 * validates it: a header length of at most 100,000,000 bytes inside the file, UTF-8 JSON starting
 * with '{', string-only {@code __metadata__}, known dtypes, byte counts equal to numel x width with
 * checked arithmetic, and offsets that tile the data buffer from 0 to the file's end exactly.
 *
 * @param entries   tensors in header order
 * @param metadata  {@code __metadata__}, empty when absent
 * @param dataStart file offset of the data buffer (8 + header length)
 */
record SafetensorsFile(Path file, List<Entry> entries, Map<String, String> metadata, long dataStart) {

    static final long MAX_HEADER = 100_000_000L;
    static final String HEADER = "safetensors header";

    /** One tensor: its bytes are {@code [dataStart + begin, dataStart + end)}. */
    record Entry(String name, Dtype dtype, Shape shape, long begin, long end) {
        long size() { return end - begin; }
    }

    private static final Map<String, Dtype> DTYPES = new LinkedHashMap<>();
    private static final Map<Dtype, String> NAMES = new EnumMap<>(Dtype.class);

    static {
        Object[][] table = {
            {"BOOL", Dtype.BOOL}, {"U8", Dtype.U8}, {"I8", Dtype.I8}, {"I16", Dtype.I16}, {"U16", Dtype.U16},
            {"F16", Dtype.F16}, {"BF16", Dtype.BF16}, {"I32", Dtype.I32}, {"U32", Dtype.U32}, {"F32", Dtype.F32},
            {"C64", Dtype.C64}, {"F64", Dtype.F64}, {"I64", Dtype.I64}, {"U64", Dtype.U64},
            {"F8_E5M2", Dtype.F8_E5M2}, {"F8_E4M3", Dtype.F8_E4M3FN}, {"F8_E8M0", Dtype.F8_E8M0FNU},
            {"F8_E4M3FNUZ", Dtype.F8_E4M3FNUZ}, {"F8_E5M2FNUZ", Dtype.F8_E5M2FNUZ},
        };
        for (Object[] row : table) {
            DTYPES.put((String) row[0], (Dtype) row[1]);
            NAMES.put((Dtype) row[1], (String) row[0]);
        }
    }

    /** True when {@code head} (a file's first bytes) is a plausible safetensors header start. */
    static boolean looksLike(byte[] head, long fileSize) {
        if (head.length < 9 || head[8] != '{') {
            return false;
        }
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n >= 2 && n <= MAX_HEADER && n <= fileSize - 8;
    }

    static SafetensorsFile read(FileChannel ch, Path file) throws IOException, CheckpointException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw fail(file, -1, "the file is " + fileSize + " bytes, too short for a safetensors header length");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0, file);
        long n = len.getLong(0);
        if (n < 0 || n > MAX_HEADER) {
            throw fail(file, 0, "header length " + Long.toUnsignedString(n) + " exceeds the reference loader's limit of "
                    + MAX_HEADER + " bytes");
        }
        if (n > fileSize - 8) {
            throw fail(file, 0, "header length " + n + " runs past the end of the file (" + fileSize + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate((int) n);
        readFully(ch, header, 8, file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(header.flip()).toString();
        } catch (CharacterCodingException e) {
            throw fail(file, 8, "the header is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw fail(file, 8, "the header does not start with '{'");
        }
        Object json;
        try {
            json = JsonReader.parse(text);
        } catch (JsonReader.JsonException e) {
            throw fail(file, 8, "the header is not valid JSON: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> top)) {
            throw fail(file, 8, "the header is not a JSON object");
        }
        long dataStart = 8 + n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                metadata(file, e.getValue(), metadata);
            } else {
                entries.add(entry(file, name, e.getValue()));
            }
        }
        checkTiling(file, entries, fileSize - dataStart);
        return new SafetensorsFile(file, List.copyOf(entries), metadata, dataStart);
    }

    private static void metadata(Path file, Object value, Map<String, String> out) throws CheckpointException {
        if (!(value instanceof Map<?, ?> m)) {
            throw fail(file, 8, "__metadata__ is not an object of strings");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw fail(file, 8, "__metadata__ value of \"" + e.getKey() + "\" is not a string");
            }
            out.put((String) e.getKey(), s);
        }
    }

    private static Entry entry(Path file, String name, Object value) throws CheckpointException {
        if (!(value instanceof Map<?, ?> m)) {
            throw tensorFail(file, name, "its header entry is not an object");
        }
        if (!(m.get("dtype") instanceof String dn)) {
            throw tensorFail(file, name, "no dtype string");
        }
        Dtype dtype = DTYPES.get(dn);
        if (dtype == null) {
            boolean known = dn.equals("F4") || dn.startsWith("F6_");
            throw CheckpointException.of(known ? Reason.UNSUPPORTED : Reason.INVALID, known ? "dtype " + dn + " (sub-byte floats) is not supported" : "unknown dtype \"" + dn + "\"").inFile(file).at(HEADER, -1).forTensor(name);
        }
        if (!(m.get("shape") instanceof List<?> dims)) {
            throw tensorFail(file, name, "no shape array");
        }
        long[] shape = new long[dims.size()];
        long numel = 1;
        try {
            for (int i = 0; i < shape.length; i++) {
                shape[i] = nonNegative(file, name, dims.get(i), "shape");
                numel = Math.multiplyExact(numel, shape[i]);
            }
        } catch (ArithmeticException e) {
            throw tensorFail(file, name, "its shape " + dims + " overflows");
        }
        if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2) {
            throw tensorFail(file, name, "data_offsets is not a pair [begin, end]");
        }
        long begin = nonNegative(file, name, offs.get(0), "data_offsets");
        long end = nonNegative(file, name, offs.get(1), "data_offsets");
        if (end < begin) {
            throw tensorFail(file, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, dtype.byteWidth());
        } catch (ArithmeticException e) {
            throw tensorFail(file, name, "its byte count overflows");
        }
        if (end - begin != expected) {
            throw tensorFail(file, name, "data_offsets cover " + (end - begin) + " bytes but " + dn + " " + dims
                    + " needs " + expected);
        }
        return new Entry(name, dtype, Shape.of(shape), begin, end);
    }

    private static long nonNegative(Path file, String name, Object v, String what) throws CheckpointException {
        if (v instanceof BigInteger b && b.signum() >= 0 && b.bitLength() < 63) {
            return b.longValue();
        }
        throw tensorFail(file, name, what + " holds " + v + ", not a non-negative integer");
    }

    /** Sorted by offsets, the tensors must cover [0, bufferSize) exactly, one after another. */
    private static void checkTiling(Path file, List<Entry> entries, long bufferSize) throws CheckpointException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin() != at) {
                throw tensorFail(file, e.name(), e.begin() > at ? "bytes [" + at + ", " + e.begin()
                        + ") of the data buffer belong to no tensor" : "its bytes overlap another tensor's at " + e.begin());
            }
            at = e.end();
        }
        if (at != bufferSize) {
            throw fail(file, -1, "the tensors cover " + at + " bytes of data but the file holds " + bufferSize
                    + (at > bufferSize ? " (truncated?)" : " (trailing bytes)"));
        }
    }

    static String typeName(Dtype d) {
        return NAMES.get(d);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long at, Path file) throws IOException, CheckpointException {
        long pos = at;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw fail(file, pos, "the file ends inside the header");
            }
            pos += r;
        }
    }

    private static CheckpointException fail(Path file, long offset, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).at(HEADER, offset);
    }

    private static CheckpointException tensorFail(Path file, String name, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).at(HEADER, -1).forTensor(name);
    }
}
