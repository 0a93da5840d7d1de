package org.pthconvert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.dtype.FloatCasts;
import org.pthconvert.dtype.UnitConverter;
import org.pthconvert.errors.CheckpointException;

/**
 * A tensor's bytes converted element by element from one dtype to another with {@link FloatCasts},
 * through bounded buffers: besides the source's own chunk, one input and one output array of at
 * most {@link #BUFFER_BYTES} each per {@link #forEachChunk} call. Elements split across the
 * source's chunks are carried over.
 *
 * <p>Supported: any floating dtype except packed float4 to float64, float32, float16 or bfloat16;
 * and complex to complex, part by part (complex32 to complex64 is exact widening).
 */
public final class TensorCast implements TensorSource {

    /** Largest size of each of the two arrays a {@link #forEachChunk} call allocates. */
    public static final int BUFFER_BYTES = 256 * 1024;

    private final TensorSource source;
    private final Dtype from;
    private final Dtype to;
    private final UnitConverter converter;
    private final int inUnit;
    private final int outUnit;
    private final long byteLength;

    private TensorCast(TensorSource source, Dtype from, Dtype to) {
        this.source = source;
        this.from = from;
        this.to = to;
        Dtype unitFrom = unitOf(from);
        Dtype unitTo = unitOf(to);
        this.converter = UnitConverter.of(unitFrom, unitTo);
        this.inUnit = unitFrom.byteWidth();
        this.outUnit = unitTo.byteWidth();
        long units = source.byteLength() / inUnit;
        if (units * inUnit != source.byteLength()) {
            throw new IllegalArgumentException("a " + from + " tensor of " + source.byteLength()
                    + " bytes does not hold a whole number of elements");
        }
        this.byteLength = Math.multiplyExact(units, outUnit);
    }

    /**
     * The source's bytes as {@code to}; the source itself when the types are equal.
     *
     * @throws IllegalArgumentException when {@link #supports} is false or the length is not a
     *                                  whole number of elements
     */
    public static TensorSource of(TensorSource source, Dtype from, Dtype to) {
        if (from == to) {
            return source;
        }
        if (!supports(from, to)) {
            throw new IllegalArgumentException("no exact cast from " + from + " to " + to);
        }
        return new TensorCast(source, from, to);
    }

    /** Whether {@link #of} can convert {@code from} to {@code to}. */
    public static boolean supports(Dtype from, Dtype to) {
        if (from == to) {
            return true;
        }
        if (from.kind() == Dtype.Kind.COMPLEX && to.kind() == Dtype.Kind.COMPLEX) {
            return true;
        }
        boolean target = to == Dtype.F64 || to == Dtype.F32 || to == Dtype.F16 || to == Dtype.BF16;
        return target && from.kind() == Dtype.Kind.FLOAT;
    }

    public Dtype from() { return from; }

    public Dtype to() { return to; }

    @Override
    public long byteLength() { return byteLength; }

    @Override
    public void transferTo(FileChannel out) throws IOException, CheckpointException {
        forEachChunk(chunk -> {
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        });
    }

    @Override
    public void forEachChunk(ChunkConsumer consumer) throws IOException, CheckpointException {
        int unitsPerBuffer = BUFFER_BYTES / Math.max(inUnit, outUnit);
        byte[] in = new byte[unitsPerBuffer * inUnit];
        byte[] out = new byte[unitsPerBuffer * outUnit];
        ByteBuffer outView = ByteBuffer.wrap(out);
        int[] held = {0};        // bytes waiting in `in`: whole units plus at most one split unit
        long[] consumed = {0};
        source.forEachChunk(chunk -> {
            ByteBuffer c = chunk.duplicate();
            consumed[0] = Math.addExact(consumed[0], c.remaining());
            while (c.hasRemaining()) {
                int take = Math.min(in.length - held[0], c.remaining());
                c.get(in, held[0], take);
                held[0] += take;
                int units = held[0] / inUnit;
                if (units == 0) {
                    continue;
                }
                converter.convert(in, 0, out, 0, units);
                int rest = held[0] - units * inUnit;
                System.arraycopy(in, units * inUnit, in, 0, rest);
                held[0] = rest;
                outView.clear().limit(units * outUnit);
                consumer.accept(outView);
            }
        });
        if (held[0] != 0 || consumed[0] != source.byteLength()) {
            throw CheckpointException.invalid(null, "tensor data ended after " + consumed[0] + " of "
                    + source.byteLength() + " bytes while converting " + from + " to " + to);
        }
    }

    /** Complex types convert part by part; the rest element by element. */
    private static Dtype unitOf(Dtype d) {
        return switch (d) {
            case C32 -> Dtype.F16;
            case C64 -> Dtype.F32;
            case C128 -> Dtype.F64;
            default -> d;
        };
    }
}
