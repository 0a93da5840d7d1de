/**
 * Element types and exact conversions between them.
 *
 * <p>{@link org.pthconvert.dtype.Dtype} names every element type a checkpoint can hold and what each
 * output format calls it. {@link org.pthconvert.dtype.FloatCasts} converts single values bit for
 * bit as torch does; {@link org.pthconvert.dtype.TensorCast} applies it to a whole
 * {@link org.pthconvert.io.TensorSource} through a bounded buffer.
 */
package org.pthconvert.dtype;
