package org.pthconvert.writers.service;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;

/**
 * Why one conversion failed, as a kind a caller can switch on and the one line a user reads. The
 * wording is the library's; a command line adds its own flag hints ({@link #hint}) where it shows it,
 * so {@code convert}'s stderr line and a {@code batch} report's {@code error} field say the same.
 *
 * @param kind    what sort of failure
 * @param message one line, naming the file (and record, offset, tensor where known)
 * @param hint    what the caller could change, by meaning: {@link Hint#NONE}, or the option that
 *                would have avoided it
 */
public record Failure(Kind kind, String message, Hint hint) {

    /** Closed set of failure kinds; every one but {@link #USAGE} and {@link #INTERNAL} is the input's fault. */
    public enum Kind {
        /** Not a checkpoint, corrupt, truncated or inconsistent. */
        INVALID,
        /** torch.load would run code: refused. */
        DANGEROUS,
        /** Valid, but holds something the format or this tool cannot produce exactly. */
        UNSUPPORTED,
        /** Over a resource limit. */
        LIMIT,
        /** The file system failed (missing, permission, exists). */
        IO,
        /** The output could not be written as asked (disk full, a format's own limit). */
        OUTPUT,
        /** The request cannot be honoured as asked, whatever the file holds. */
        USAGE,
        /** A bug, or a JVM error. */
        INTERNAL
    }

    /** An option that would have changed the outcome; a command line words it with its flag's name. */
    public enum Hint {
        NONE,
        /** The conversion would have succeeded by skipping unsupported tensors. */
        SKIP_UNSUPPORTED,
        /** The output exists; forcing would replace it. */
        FORCE,
        /** A bug: the stack trace would show where. */
        TRACE
    }

    public Failure {
        message = oneLine(message);
    }

    /** Classifies {@code e} and words it; never throws. */
    public static Failure of(Throwable e) {
        if (e instanceof CheckpointException ce) {
            String m = ce.getMessage();
            boolean skip = m.contains(org.pthconvert.writers.Conversion.SKIP_HINT);
            return new Failure(kind(ce.reason()), skip ? m.replace(org.pthconvert.writers.Conversion.SKIP_HINT, "") : m,
                    skip ? Hint.SKIP_UNSUPPORTED : Hint.NONE);
        }
        if (e instanceof NoSuchFileException nf) {
            return new Failure(Kind.IO, nf.getFile() + ": no such file", Hint.NONE);
        }
        if (e instanceof FileAlreadyExistsException fe) {
            return new Failure(Kind.IO, fe.getFile() + ": already exists", Hint.FORCE);
        }
        if (e instanceof AccessDeniedException ad) {
            return new Failure(Kind.IO, ad.getFile() + ": permission denied", Hint.NONE);
        }
        if (e instanceof IOException io) {
            return new Failure(Kind.IO, "I/O error: " + io.getMessage(), Hint.NONE);
        }
        if (e instanceof InvalidRequestException ire) {
            return new Failure(Kind.USAGE, ire.getMessage(), Hint.NONE);
        }
        if (e instanceof OutOfMemoryError) {
            return new Failure(Kind.INTERNAL, "out of memory (this is a bug: pthconvert should stream; please "
                    + "report it with the file's `pthconvert inspect` output)", Hint.NONE);
        }
        if (e instanceof StackOverflowError) {
            return new Failure(Kind.INTERNAL, "nested too deeply for this reader (this is a bug: nesting should "
                    + "never reach the Java stack; please report it)", Hint.NONE);
        }
        return new Failure(Kind.INTERNAL, "internal error: " + e + " (please report it)", Hint.TRACE);
    }

    /** The message with the hint in words of the library (no flag names), for callers without a command line. */
    public String plain() {
        return switch (hint) {
            case NONE -> message;
            case SKIP_UNSUPPORTED -> message + org.pthconvert.writers.Conversion.SKIP_HINT;
            case FORCE -> message + " (forcing would replace it)";
            case TRACE -> message;
        };
    }

    /** True when the input file itself is at fault (as opposed to the request, the file system or a bug). */
    public boolean inputsFault() {
        return kind == Kind.INVALID || kind == Kind.DANGEROUS || kind == Kind.UNSUPPORTED || kind == Kind.LIMIT;
    }

    private static Kind kind(CheckpointException.Reason r) {
        return switch (r) {
            case INVALID -> Kind.INVALID;
            case DANGEROUS -> Kind.DANGEROUS;
            case UNSUPPORTED -> Kind.UNSUPPORTED;
            case LIMIT -> Kind.LIMIT;
            case IO -> Kind.IO;
            case OUTPUT -> Kind.OUTPUT;
        };
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
