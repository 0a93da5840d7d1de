package org.pthconvert.cli;

import org.pthconvert.cli.inspect.Terminal;

import java.io.PrintWriter;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;

/**
 * Turns failures into the one stderr line a user sees ({@code pthconvert: <what and where>}) and
 * the exit code a script sees; the stack trace only with {@code --debug}.
 */
public final class Reporter {
    private Reporter() {
    }

    public static int fail(PrintWriter err, Throwable e, boolean debug) {
        String line;
        int code = ExitCode.BAD_INPUT;
        if (e instanceof CheckpointException ce) {
            line = ce.getMessage().replace(org.pthconvert.writers.Conversion.SKIP_HINT, " (--skip-unsupported skips it)");
        } else if (e instanceof java.nio.file.NoSuchFileException nf) {
            line = nf.getFile() + ": no such file";
        } else if (e instanceof java.nio.file.FileAlreadyExistsException fe) {
            line = fe.getFile() + ": already exists (use --force to replace it)";
        } else if (e instanceof java.nio.file.AccessDeniedException ad) {
            line = ad.getFile() + ": permission denied";
        } else if (e instanceof java.io.IOException io) {
            line = "I/O error: " + io.getMessage();
        } else if (e instanceof InvalidRequestException ire) {
            line = ire.getMessage();
            code = ExitCode.USAGE;
        } else if (e instanceof OutOfMemoryError) {
            line = "out of memory (this is a bug: pthconvert should stream; please report it with the file's "
                    + "`pthconvert inspect` output)";
        } else if (e instanceof StackOverflowError) {
            line = "nested too deeply for this reader (this is a bug: nesting should never reach the Java stack; "
                    + "please report it)";
        } else {
            line = "internal error: " + e + " (please report it; --debug shows where)";
            code = ExitCode.INTERNAL;
        }
        err.println("pthconvert: " + oneLine(line));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static String oneLine(String s) {
        return s == null ? "" : printable(s.replace('\n', ' ').replace('\r', ' '));
    }

    /** {@code s} safe to print on a terminal ({@link Terminal#printable}). */
    public static String printable(String s) {
        return Terminal.printable(s);
    }
}
