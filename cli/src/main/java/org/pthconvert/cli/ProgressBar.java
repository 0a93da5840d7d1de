package org.pthconvert.cli;

import java.io.PrintWriter;
import java.util.Locale;

import org.pthconvert.cli.format.Sizes;
import org.pthconvert.writers.Progress;

/**
 * A one-line progress bar on stderr, drawn only on a terminal, only after the work has taken a
 * moment, and at most ten times a second so it never slows the copy. It counts what the conversion
 * hands to the writer, against the total the conversion announces, so it ends at 100%.
 */
final class ProgressBar implements Progress, AutoCloseable {
    private static final long SHOW_AFTER_NANOS = 700_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long total = 1;
    private long done;
    private long lastDraw;
    private boolean drawn;

    private ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /**
     * What a conversion is to report to: this bar, or {@link Progress#NONE} when it never draws (the
     * conversion then hands its sources to the writer unwrapped, 100,000 wrappers fewer).
     */
    Progress target() {
        return enabled ? this : Progress.NONE;
    }

    /** A bar, silent when stderr is not a terminal or the user asked for quiet. */
    static ProgressBar create(PrintWriter err, boolean quiet) {
        boolean tty = "1".equals(System.getProperty("pthconvert.stderr.tty"));
        return new ProgressBar(err, tty && !quiet);
    }

    @Override
    public void start(long totalBytes) {
        total = Math.max(totalBytes, 1);
        done = 0;
    }

    @Override
    public void advance(long bytes) {
        done += bytes;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - start < SHOW_AFTER_NANOS || now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        drawn = true;
        int width = 30;
        long shown = Math.min(done, total);
        int filled = (int) (shown * width / total);
        double secs = (now - start) / 1e9;
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3d%%  %s / %s  %s/s ", "#".repeat(filled),
                " ".repeat(width - filled), shown * 100 / total, Sizes.human(shown), Sizes.human(total),
                Sizes.human((long) (done / Math.max(secs, 1e-9)))));
        err.flush();
    }

    /** Bytes counted so far (for tests). */
    long done() {
        return done;
    }

    long total() {
        return total;
    }

    /** Clears the bar so the summary line starts clean. */
    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(79) + "\r");
            err.flush();
        }
    }
}
