package org.pthconvert.cli.args;

/**
 * The command line itself is wrong: exit status 2, one line, and a pointer to {@code --help}.
 * {@link #reason()} says which rule was broken, for callers and tests; the message says it for people.
 */
public final class UsageException extends RuntimeException {

    /** Which rule of the command line was broken. */
    public enum Reason {
        UNKNOWN_OPTION, MISSING_VALUE, BAD_VALUE, REPEATED_OPTION, MISSING_OPTION, MISSING_PARAMETER,
        EXTRA_PARAMETER, UNKNOWN_COMMAND
    }

    private final Reason reason;
    private final String command;

    public UsageException(Reason reason, String command, String message) {
        super(message);
        this.reason = reason;
        this.command = command;
    }

    public Reason reason() {
        return reason;
    }

    /** The command whose help would have helped, {@code pthconvert convert}. */
    public String command() {
        return command;
    }
}
