/**
 * Access to the fixtures that {@code testdata/generate.py} made with real PyTorch: the fixture and
 * hostile folders and parsers for their TSV files ({@code manifest.tsv}, {@code casts.tsv},
 * {@code widened.tsv}, {@code quantized.tsv}, {@code hostile/expected.tsv}).
 *
 * <p>Plain Java 17, no dependencies; other modules use it from their tests.
 */
package org.pthconvert.testdata;
