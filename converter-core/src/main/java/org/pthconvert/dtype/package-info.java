/**
 * Element types and exact conversions between them.
 *
 * <p>{@link org.pthconvert.dtype.Dtype} names every element type a checkpoint can hold (each output
 * format keeps its own table of what it calls them). {@link org.pthconvert.dtype.FloatCasts}
 * converts single values bit for bit as torch does, {@link org.pthconvert.dtype.UnitConverter} runs
 * of them; {@code org.pthconvert.io.TensorCast} applies that to a whole tensor source through a
 * bounded buffer. This package depends on no other.
 */
package org.pthconvert.dtype;
