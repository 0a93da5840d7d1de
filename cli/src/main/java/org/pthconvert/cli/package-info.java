/**
 * The {@code pthconvert} command line: one class per command (convert, strip, batch, inspect, scan), each with its
 * option table ({@link org.pthconvert.cli.args}), shared option tables, one-line error reporting and exit codes.
 */
package org.pthconvert.cli;
