/**
 * Many conversions as one run, without any command-line types, for {@code pthconvert batch} and
 * the Spark job: {@link org.pthconvert.writers.batch.InputScanner} finds the inputs,
 * {@link org.pthconvert.writers.batch.BatchPlan} maps them to outputs (names by the pure
 * {@link org.pthconvert.writers.batch.OutputNames}), refuses clashes and marks up-to-date outputs,
 * {@link org.pthconvert.writers.batch.BatchRunner} converts on N threads through the thread-safe
 * {@link org.pthconvert.writers.service.ConversionService} and reports each
 * {@link org.pthconvert.writers.batch.BatchOutcome}, which
 * {@link org.pthconvert.writers.batch.JsonlReport} writes one line each.
 */
package org.pthconvert.writers.batch;
