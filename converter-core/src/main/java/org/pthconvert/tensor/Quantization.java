package org.pthconvert.tensor;

import java.util.List;

/**
 * How a quantized tensor's integers map to real values. Per-tensor: one scale and zero point, axis -1.
 * Per-channel: one per index along {@code axis}.
 */
public record Quantization(String scheme, List<Double> scales, List<Long> zeroPoints, int axis) {
    public Quantization {
        scales = List.copyOf(scales);
        zeroPoints = List.copyOf(zeroPoints);
    }
}
