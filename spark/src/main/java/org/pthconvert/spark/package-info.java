/**
 * A Spark application that converts a zoo of checkpoints on any Hadoop file system: the driver
 * resolves inputs ({@link org.pthconvert.spark.InputResolver}), one task per input reads its checkpoint
 * in place through positional reads ({@link org.pthconvert.spark.HadoopReadChannel}), converts it to
 * the executor's local disk and publishes it atomically ({@link org.pthconvert.spark.OutputPublisher});
 * the per-input rows become the report ({@link org.pthconvert.spark.ReportWriter}).
 *
 * <p>This module has no {@code module-info.java}, unlike converter-core, writers and cli: Spark runs
 * it on the class path, and it cannot be a named module. A named module cannot read Spark or Hadoop
 * from the class path (javac: "package org.apache.hadoop.fs is not visible"). Spark 4.2.0's jars
 * cannot go on the module path either: they carry no Automatic-Module-Name, the names derived from
 * their files ({@code spark-core_2.13-4.2.0.jar} gives {@code spark.core.2.13}) are not legal module
 * names, so the JVM refuses to start ("Unable to derive module descriptor ... '2' is not a Java
 * identifier"); and packages are split across them ({@code org.apache.spark.unused} in eight Spark
 * jars, {@code org.json4s.jackson} in two json4s jars). Nothing enforces the library modules'
 * exports here; the job uses only exported packages (checked with jdeps when the descriptors were added).
 */
package org.pthconvert.spark;
