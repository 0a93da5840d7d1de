/**
 * A Spark application that converts a zoo of checkpoints on any Hadoop file system: the driver
 * resolves inputs ({@link org.pthconvert.spark.InputResolver}), one task per input reads its checkpoint
 * in place through positional reads ({@link org.pthconvert.spark.HadoopReadChannel}), converts it to
 * the executor's local disk and publishes it atomically ({@link org.pthconvert.spark.OutputPublisher});
 * the per-input rows become the report ({@link org.pthconvert.spark.ReportWriter}).
 */
package org.pthconvert.spark;
