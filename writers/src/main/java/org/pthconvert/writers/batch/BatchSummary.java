package org.pthconvert.writers.batch;

/**
 * A batch's totals.
 *
 * @param converted inputs converted
 * @param skipped   inputs whose output was up to date
 * @param failed    inputs that failed
 * @param notRun    inputs never finished: after a failure with fail-fast, or a cancellation (their
 *                  outputs do not exist; a rerun converts them)
 * @param bytes     tensor bytes converted
 * @param seconds   wall time of the run
 * @param cancelled the run was cancelled
 */
public record BatchSummary(int converted, int skipped, int failed, int notRun, long bytes, double seconds,
                           boolean cancelled) {

    /** Every input converted or up to date. */
    public boolean success() {
        return failed == 0 && notRun == 0;
    }
}
