package org.pthconvert.cli;

/** Exit statuses scripts can rely on, the same for every command. */
public final class ExitCode {
    public static final int OK = 0;
    /** Unreadable, invalid or refused input (including files that would run code). */
    public static final int BAD_INPUT = 1;
    /** The command line itself is wrong. */
    public static final int USAGE = 2;
    /** {@code scan} only: some file would run code when loaded with torch.load. */
    public static final int DANGEROUS = 3;
    /** A bug in pthconvert (sysexits' EX_SOFTWARE): not the input's fault, not the command line's. */
    public static final int INTERNAL = 70;

    private ExitCode() {
    }
}
