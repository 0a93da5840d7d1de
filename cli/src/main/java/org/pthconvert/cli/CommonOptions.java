package org.pthconvert.cli;

import java.util.List;

import org.pthconvert.cli.args.Opt;

/** Options every command takes ({@code --help} and {@code --version} come with every command too). */
public final class CommonOptions {

    static final String DEBUG = "--debug";

    static final List<Opt> OPTIONS = List.of(Opt.flag(DEBUG, "On failure, print the stack trace too."));

    private CommonOptions() {
    }
}
