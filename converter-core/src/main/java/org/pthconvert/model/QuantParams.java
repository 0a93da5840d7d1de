package org.pthconvert.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.dtype.FloatCasts;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.TensorView;

/**
 * Reads the values of a per-channel quantized tensor's scale and zero-point tensors (torch pickles
 * them as small tensors inside the quantizer parameters), so that {@link Quantization} carries them
 * like a per-tensor one does. One value per index along the axis; at most {@value #MAX_CHANNELS}.
 */
final class QuantParams {
    /** Far more channels than any layer has; 8 MiB of float64 scales. */
    static final int MAX_CHANNELS = 1 << 20;

    /** Thrown for zero points that are not whole numbers (per_channel_affine_float_qparams). */
    static final class NotIntegral extends Exception {
        private static final long serialVersionUID = 1L;

        NotIntegral(String message) {
            super(message, null, false, false);
        }
    }

    @FunctionalInterface
    interface Sources {
        TensorSource of(TensorView view);
    }

    private QuantParams() {
    }

    /**
     * The per-channel {@link Quantization} of {@code view}, with its scales and zero points read.
     * Errors come from {@code errors}, which knows the tensor's name.
     */
    static Quantization read(TensorView view, TensorView scales, TensorView zeroPoints, Sources sources,
                             ErrorAt errors) throws IOException, CheckpointException, NotIntegral {
        Quantization q = view.quantization();
        long channels = view.shape().dim(q.axis());
        for (TensorView p : List.of(scales, zeroPoints)) {
            long n = p.numel();
            if (n != channels) {
                throw errors.at(Reason.INVALID, "has " + channels + " channels along axis " + q.axis() + " but "
                        + n + " quantization " + (p == scales ? "scales" : "zero points"));
            }
        }
        if (channels > MAX_CHANNELS) {
            throw errors.at(Reason.LIMIT, "has " + channels + " quantization channels, more than the limit of "
                    + MAX_CHANNELS);
        }
        List<Double> s = new ArrayList<>((int) channels);
        for (double d : values(scales, sources, errors, "scales")) {
            s.add(d);
        }
        Dtype.Kind kind = zeroPoints.dtype().kind();
        List<Long> z;
        if (kind == Dtype.Kind.SIGNED || kind == Dtype.Kind.UNSIGNED) {
            z = integers(zeroPoints, sources);
        } else {
            z = new ArrayList<>((int) channels);
            for (double d : values(zeroPoints, sources, errors, "zero points")) {
                if (d != Math.rint(d) || Math.abs(d) > 0x1p62) {
                    throw new NotIntegral("quantized with zero points that are not integers (" + d + ", "
                            + q.scheme() + ")");
                }
                z.add((long) d);
            }
        }
        return new Quantization(q.scheme(), s, z, q.axis());
    }

    @FunctionalInterface
    interface ErrorAt {
        CheckpointException at(Reason reason, String detail);
    }

    private static double[] values(TensorView v, Sources sources, ErrorAt errors, String what)
            throws IOException, CheckpointException {
        Dtype d = v.dtype();
        int w = d.byteWidth();
        double[] out = new double[(int) v.numel()];
        int[] i = {0};
        if (!(d.kind() == Dtype.Kind.FLOAT && (d == Dtype.F64 || d == Dtype.F32 || d == Dtype.F16 || d == Dtype.BF16)
                || d.kind() == Dtype.Kind.SIGNED || d.kind() == Dtype.Kind.UNSIGNED)) {
            throw errors.at(Reason.UNSUPPORTED, "quantization " + what + " of type " + d.torchName()
                    + " are not supported");
        }
        sources.of(v).forEachChunk(chunk -> {
            ByteBuffer b = chunk.order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= w) {
                out[i[0]++] = switch (d) {
                    case F64 -> b.getDouble();
                    case F32 -> b.getFloat();
                    case F16 -> Double.longBitsToDouble(FloatCasts.f16ToF64(b.getShort()));
                    case BF16 -> Double.longBitsToDouble(FloatCasts.bf16ToF64(b.getShort()));
                    default -> element(b, d);
                };
            }
        });
        return out;
    }

    private static List<Long> integers(TensorView v, Sources sources)
            throws IOException, CheckpointException {
        Dtype d = v.dtype();
        int w = d.byteWidth();
        List<Long> out = new ArrayList<>((int) v.numel());
        sources.of(v).forEachChunk(chunk -> {
            ByteBuffer b = chunk.order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= w) {
                out.add(element(b, d));
            }
        });
        return out;
    }

    private static long element(ByteBuffer b, Dtype d) {
        boolean signed = d.kind() == Dtype.Kind.SIGNED;
        return switch (d.byteWidth()) {
            case 1 -> signed ? b.get() : b.get() & 0xff;
            case 2 -> signed ? b.getShort() : b.getShort() & 0xffff;
            case 4 -> signed ? b.getInt() : b.getInt() & 0xffff_ffffL;
            default -> b.getLong();
        };
    }
}
