package org.pthconvert.io;

import java.io.IOException;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * Carries a {@link CheckpointException} through an {@link java.io.InputStream}, whose methods can only
 * throw {@link IOException}: a record stream that finds corrupt data (bad deflate data, CRC mismatch,
 * file truncated under it) throws this. Code that reads such a stream should unwrap it:
 *
 * <pre>{@code
 * catch (IOException e) { throw CheckpointIOException.unwrap(e, file); }
 * }</pre>
 */
public final class CheckpointIOException extends IOException {
    private static final long serialVersionUID = 1L;

    private final CheckpointException problem;

    public CheckpointIOException(CheckpointException problem) {
        super(problem.getMessage(), problem);
        this.problem = problem;
    }

    /** What went wrong, with file, record and offset. */
    public CheckpointException problem() { return problem; }

    /**
     * The checkpoint error inside {@code e} if it carries one, else an {@link CheckpointException.Reason#IO}
     * error about {@code file}.
     */
    public static CheckpointException unwrap(IOException e, java.nio.file.Path file) {
        if (e instanceof CheckpointIOException c) {
            return c.problem.inFile(file);
        }
        return CheckpointException.of(Reason.IO, "cannot read: " + e.getMessage()).inFile(file).causedBy(e);
    }
}
