/**
 * The weights-only {@code .pth} writer ({@code strip}, {@code --to pth}): torch's own zip layout
 * (STORED records, 64-byte aligned data, data descriptors, ZIP64 when needed) around a protocol-2
 * {@code data.pkl} that {@code torch.load(weights_only=True)} accepts. The pickle is produced by a
 * small writer of our own that knows only the opcodes a state dict needs.
 */
package org.pthconvert.writers.pth;
