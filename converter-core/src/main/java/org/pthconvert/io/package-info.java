/**
 * Bytes on demand, in constant memory.
 *
 * <ul>
 *   <li>{@link org.pthconvert.io.ByteSource}: what a checkpoint is read from (a size and positional
 *       reads): a local file (its {@code FileChannel} kept for {@code transferTo}) or any
 *       {@link java.nio.channels.SeekableByteChannel}; other stores adapt to it outside converter-core.</li>
 *   <li>{@link org.pthconvert.io.StorageBytes}: one storage record.
 *       {@link org.pthconvert.io.InPlaceStorage} reads an uncompressed record where it lies
 *       (positional reads, {@code FileChannel.transferTo});
 *       {@link org.pthconvert.io.DeflatedStorage} inflates a compressed one sequentially and spills it
 *       to a temporary file once if reads go backwards.</li>
 *   <li>{@link org.pthconvert.io.TensorSource}: one tensor's bytes, C-contiguous and little-endian.
 *       {@link org.pthconvert.io.ViewSource} makes them from a storage and a strided view: a single
 *       range copy when it can, otherwise a gather with fixed buffers ({@code StridedGather}) that
 *       merges dimensions and reads runs, blocks or tiles of the storage, swapping big-endian data.
 *       {@link org.pthconvert.io.TensorCast} converts a source's elements to another dtype.</li>
 *   <li>Record streams: {@link org.pthconvert.io.ChannelRangeStream} (a byte range of a source, CRC
 *       checked at the end) and {@link org.pthconvert.io.BoundedInflaterStream} (never more bytes
 *       than declared: zip bombs stop at once). Their errors travel as
 *       {@link org.pthconvert.io.CheckpointIOException}. {@link org.pthconvert.io.BufferedStream}
 *       buffers them for a single reader, without a lock per read.</li>
 * </ul>
 */
package org.pthconvert.io;
