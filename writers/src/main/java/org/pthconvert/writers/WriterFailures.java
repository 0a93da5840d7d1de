package org.pthconvert.writers;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/** The {@link CheckpointException}s writers throw, each naming the tensor concerned. */
public final class WriterFailures {

    private WriterFailures() {
    }

    /** The format cannot hold this tensor (or name) exactly. */
    public static CheckpointException unsupported(String tensor, String detail) {
        return CheckpointException.of(Reason.UNSUPPORTED, detail).forTensor(tensor);
    }

    /** A source did not deliver what it promised. */
    public static CheckpointException invalid(String tensor, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).forTensor(tensor);
    }

    /** The output would break a limit of the format. */
    public static CheckpointException limit(String tensor, String detail) {
        return CheckpointException.of(Reason.LIMIT, detail).forTensor(tensor);
    }
}
