package org.pthconvert.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on stderr, drawn only on a terminal, only after the work has taken a
 * moment, and at most ten times a second so it never slows the copy.
 */
final class ProgressBar implements LongConsumer, AutoCloseable {
    private static final long SHOW_AFTER_NANOS = 700_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private boolean drawn;

    private ProgressBar(PrintWriter err, long total) {
        this.err = err;
        this.total = Math.max(total, 1);
    }

    /** A bar, or a no-op when stderr is not a terminal or the user asked for quiet. */
    static LongConsumer create(PrintWriter err, long total, boolean quiet) {
        boolean tty = "1".equals(System.getProperty("pthconvert.stderr.tty"));
        return quiet || !tty ? n -> { } : new ProgressBar(err, total);
    }

    @Override
    public void accept(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (now - start < SHOW_AFTER_NANOS || now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        drawn = true;
        int width = 30;
        int filled = (int) Math.min(width, done * width / total);
        double secs = (now - start) / 1e9;
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3d%%  %s / %s  %s/s ", "#".repeat(filled),
                " ".repeat(width - filled), done * 100 / total, Sizes.human(done), Sizes.human(total),
                Sizes.human((long) (done / Math.max(secs, 1e-9)))));
        err.flush();
    }

    /** Clears the bar so the summary line starts clean. */
    static void finish(LongConsumer bar) {
        if (bar instanceof ProgressBar p && p.drawn) {
            p.err.print("\r" + " ".repeat(79) + "\r");
            p.err.flush();
        }
    }

    @Override
    public void close() {
        finish(this);
    }
}
