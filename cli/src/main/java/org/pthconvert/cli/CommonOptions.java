package org.pthconvert.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
public final class CommonOptions {
    @Option(names = "--debug", description = "On failure, print the stack trace too.")
    boolean debug;
}
