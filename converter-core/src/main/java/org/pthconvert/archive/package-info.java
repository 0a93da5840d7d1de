/**
 * The outer layer of a checkpoint file: where the pickle is and where each storage's bytes lie.
 *
 * <ul>
 *   <li>{@link org.pthconvert.archive.Containers#open} looks at the first bytes and opens the right
 *       container, or says in one line what the file is instead (empty, Git LFS pointer, HTML page,
 *       safetensors, old tar format, a pickle that is not torch's, ...).</li>
 *   <li>{@link org.pthconvert.archive.ZipContainer}: torch &gt;= 1.6 zip files and TorchScript archives,
 *       read by our own central directory reader ({@code ZipDirectory}, {@code ZipEntries}) over a
 *       {@link java.nio.channels.FileChannel} with positional reads: ZIP64, UTF-8/CP437 names, data
 *       offsets from the local headers, every offset and size checked against the file, overlapping
 *       entries and impossible deflate ratios refused.</li>
 *   <li>{@link org.pthconvert.archive.LegacyContainer}: the pre-1.6 stream of pickles followed by raw
 *       storages ({@code _use_new_zipfile_serialization=False}).</li>
 *   <li>{@link org.pthconvert.archive.BarePickleContainer}: a bare Python pickle, which is no checkpoint
 *       but which torch.load would unpickle (and so run) anyway: opened only so that its pickle can be
 *       audited before it is refused.</li>
 * </ul>
 *
 * Nothing here interprets the main pickle beyond skimming it to find where a legacy file's storage
 * data starts; nothing is memory-mapped; every error is a
 * {@link org.pthconvert.errors.CheckpointException} naming the file, the record and the byte offset.
 */
package org.pthconvert.archive;
