/**
 * The outer layer of a checkpoint file: where the pickle is and where each storage's bytes lie.
 *
 * <ul>
 *   <li>{@link org.pthconvert.archive.Containers#open} looks at the first bytes and opens the container
 *       torch.load would read the file as: {@code PK\3\4} a zip, a valid tar header the old tar format,
 *       anything else a legacy stream of pickles. A file that is no checkpoint (empty excepted) still
 *       opens, with its one-line explanation (Git LFS pointer, HTML page, safetensors, a pickle that
 *       is not torch's, ...) as a deferred refusal, given only after its pickles are audited.</li>
 *   <li>{@link org.pthconvert.archive.CheckpointContainer#pickles()}: every pickle torch.load could
 *       unpickle from a file ({@link org.pthconvert.archive.PickleStream}), all audited before a file is
 *       read or refused; {@link org.pthconvert.archive.CheckpointContainer#deferredRefusal()}: why it is
 *       refused when none is dangerous (ambiguous zip records, no checkpoint).</li>
 *   <li>{@link org.pthconvert.archive.ZipContainer}: torch &gt;= 1.6 zip files and TorchScript archives,
 *       read by our own central directory reader ({@code ZipDirectory}, {@code ZipEntries}) over a
 *       {@link org.pthconvert.io.ByteSource} with positional reads: the end record found as miniz
 *       (torch's reader) finds it, record names matched ignoring ASCII case as miniz matches them,
 *       ZIP64, UTF-8/CP437 names, data offsets from the local headers, every offset and size checked
 *       against the file, overlapping entries and impossible deflate ratios refused.</li>
 *   <li>{@link org.pthconvert.archive.LegacyContainer}: the pre-1.6 stream of pickles followed by raw
 *       storages ({@code _use_new_zipfile_serialization=False}).</li>
 *   <li>{@link org.pthconvert.archive.BarePickleContainer}: a bare Python pickle, a page, or a legacy
 *       stream with a broken header, which torch.load would still unpickle (and so run): opened only so
 *       that its pickles can be audited before it is refused.</li>
 *   <li>{@link org.pthconvert.archive.TarContainer}: torch's pre-1.0 tar format, opened only to audit
 *       the pickles of its {@code storages}, {@code tensors} and {@code pickle} members ({@code TarMembers}).</li>
 * </ul>
 *
 * Nothing here interprets a pickle beyond skimming it with inert hooks to find where the next one
 * starts; nothing is memory-mapped; every error is a
 * {@link org.pthconvert.errors.CheckpointException} naming the file, the record and the byte offset.
 */
package org.pthconvert.archive;
