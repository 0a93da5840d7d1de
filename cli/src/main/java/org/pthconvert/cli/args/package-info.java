/**
 * The command line's own small argument parser: options and positional parameters declared as records in
 * a table per command ({@link org.pthconvert.cli.args.Spec}), parsed GNU style by
 * {@link org.pthconvert.cli.args.Parser} into {@link org.pthconvert.cli.args.Args}, and rendered as
 * {@code --help} by {@link org.pthconvert.cli.args.Help}.
 *
 * <p>Why not picocli: it builds each command's model by reflection over annotations, which cost
 * 170-200 ms of every run's start-up, more than the JVM itself, and its classes (Java 5 bytecode) cannot
 * be kept in the class-data-sharing archive. A table serves as well: no reflection, no regular
 * expressions, no lambdas on the start path, a handful of classes.
 */
package org.pthconvert.cli.args;
