package org.pthconvert.cli;

import org.pthconvert.cli.inspect.Terminal;

import java.io.PrintWriter;

import org.pthconvert.writers.service.Failure;

/**
 * Turns failures into the one stderr line a user sees ({@code pthconvert: <what and where>}) and
 * the exit code a script sees; the stack trace only with {@code --debug}. The wording is the
 * library's ({@link Failure}); this class adds the flag that would have helped.
 */
public final class Reporter {
    private Reporter() {
    }

    public static int fail(PrintWriter err, Throwable e, boolean debug) {
        Failure f = Failure.of(e);
        err.println("pthconvert: " + line(f));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(f);
    }

    /**
     * The failure's line as the command line words it, with the flag that would have helped, safe to
     * print on a terminal: what {@code convert} prints after {@code pthconvert: }, and a batch
     * report's {@code error}.
     */
    public static String line(Failure f) {
        return oneLine(hinted(f));
    }

    private static String hinted(Failure f) {
        return switch (f.hint()) {
            case NONE -> f.message();
            case SKIP_UNSUPPORTED -> f.message() + " (--skip-unsupported skips it)";
            case FORCE -> f.message() + " (use --force to replace it)";
            case TRACE -> f.message().endsWith(")")
                    ? f.message().substring(0, f.message().length() - 1) + "; --debug shows where)"
                    : f.message() + " (--debug shows where)";
        };
    }

    static int exitCode(Failure f) {
        return switch (f.kind()) {
            case USAGE -> ExitCode.USAGE;
            case INTERNAL -> f.message().startsWith("internal error") ? ExitCode.INTERNAL : ExitCode.BAD_INPUT;
            default -> ExitCode.BAD_INPUT;
        };
    }

    static String oneLine(String s) {
        return s == null ? "" : printable(s.replace('\n', ' ').replace('\r', ' '));
    }

    /** {@code s} safe to print on a terminal ({@link Terminal#printable}). */
    public static String printable(String s) {
        return Terminal.printable(s);
    }
}
