/**
 * The {@code pthconvert} command line: one class per command (convert, inspect, scan), shared option mixins, one-line error reporting and exit codes.
 */
package org.pthconvert.cli;
