package org.pthconvert.spark;

import java.io.Serializable;

/**
 * One input's row of the report, the same fields as {@code batch}'s.
 *
 * @param input   the checkpoint's URI
 * @param output  the main output's URI (also when skipped or failed: where it would be)
 * @param status  ok, skipped or failed
 * @param error   the one-line reason {@code convert} gives, or null
 * @param tensors tensors written
 * @param bytes   tensor bytes written
 * @param seconds wall time of the task for this input (open, convert, upload)
 */
public record ReportRow(String input, String output, Status status, String error, int tensors, long bytes,
                        double seconds) implements Serializable {

    static ReportRow skipped(String input, String output) {
        return new ReportRow(input, output, Status.SKIPPED, null, 0, 0, 0);
    }

    static ReportRow failed(String input, String output, String error, double seconds) {
        return new ReportRow(input, output, Status.FAILED, error, 0, 0, seconds);
    }
}
