package org.pthconvert.cli;

import java.io.PrintWriter;
import java.util.Locale;

import org.pthconvert.cli.format.Sizes;
import org.pthconvert.writers.batch.BatchOutcome;
import org.pthconvert.writers.batch.BatchPlan;

/**
 * The batch's one progress line on stderr ({@code 12/40 files, 1 failed, 3.2 GiB, 410 MiB/s}): only on
 * a terminal, only after a moment, at most ten times a second. Called from every worker thread.
 */
final class BatchProgressLine {
    private static final long SHOW_AFTER_NANOS = 700_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean enabled;
    private final int total;
    private final long start = System.nanoTime();
    private int done;
    private int failed;
    private long bytes;
    private long lastDraw;
    private boolean drawn;

    private BatchProgressLine(PrintWriter err, boolean enabled, int total) {
        this.err = err;
        this.enabled = enabled;
        this.total = total;
    }

    static BatchProgressLine create(PrintWriter err, boolean quiet, BatchPlan plan) {
        boolean tty = "1".equals(System.getProperty("pthconvert.stderr.tty"));
        return new BatchProgressLine(err, tty && !quiet, plan.items().size());
    }

    synchronized void bytes(long n) {
        bytes += n;
        draw(false);
    }

    synchronized void finished(BatchOutcome o) {
        done++;
        if (o.status() == BatchOutcome.Status.FAILED) {
            failed++;
        }
        draw(false);
    }

    private void draw(boolean force) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!force && (now - start < SHOW_AFTER_NANOS || now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        drawn = true;
        double secs = Math.max((now - start) / 1e9, 1e-9);
        String text = String.format(Locale.ROOT, "%d/%d files, %d failed, %s, %s/s", done, total, failed,
                Sizes.human(bytes), Sizes.human((long) (bytes / secs)));
        err.print("\r" + text + " ".repeat(Math.max(0, 78 - text.length())));
        err.flush();
    }

    /** Clears the line so the next message starts clean. */
    synchronized void clear() {
        if (drawn) {
            err.print("\r" + " ".repeat(79) + "\r");
            err.flush();
            drawn = false;
        }
    }
}
