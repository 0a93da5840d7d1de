package org.pthconvert.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs one command line in-process and keeps what it printed. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Lines on stderr, ignoring a trailing newline. */
    long errLines() {
        return err.isEmpty() ? 0 : err.strip().lines().count();
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
