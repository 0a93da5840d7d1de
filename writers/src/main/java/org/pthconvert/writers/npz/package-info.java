/**
 * The NumPy .npz writer: .npy members with NumPy's exact header, 64-byte aligned, ZIP64, UTF-8
 * names that {@code np.load} gives back unchanged; bfloat16 and float8 widened exactly or kept as
 * raw bits.
 */
package org.pthconvert.writers.npz;
