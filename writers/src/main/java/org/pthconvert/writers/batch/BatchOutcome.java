package org.pthconvert.writers.batch;

import java.util.Objects;

import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.Failure;

/**
 * What became of one input.
 *
 * @param item    the input and its output
 * @param status  converted, skipped as up to date, or failed
 * @param result  what the conversion did, for {@link Status#OK}; null otherwise
 * @param failure why it failed, for {@link Status#FAILED}; null otherwise
 * @param seconds wall time spent on it (0 for skipped)
 */
public record BatchOutcome(BatchItem item, Status status, ConversionResult result, Failure failure, double seconds) {

    /** The closed set of outcomes a report shows. */
    public enum Status {
        OK, SKIPPED, FAILED;

        /** {@code ok}, {@code skipped}, {@code failed}: the report's spelling. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public BatchOutcome {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(status, "status");
        if ((status == Status.OK) != (result != null) || (status == Status.FAILED) != (failure != null)) {
            throw new IllegalArgumentException(status + " outcome with result=" + result + ", failure=" + failure);
        }
    }

    public static BatchOutcome ok(BatchItem item, ConversionResult result) {
        return new BatchOutcome(item, Status.OK, result, null, result.seconds());
    }

    public static BatchOutcome skipped(BatchItem item) {
        return new BatchOutcome(item, Status.SKIPPED, null, null, 0);
    }

    public static BatchOutcome failed(BatchItem item, Failure failure, double seconds) {
        return new BatchOutcome(item, Status.FAILED, null, failure, seconds);
    }
}
