package org.pthconvert.writers.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.Progress;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.ConversionService;
import org.pthconvert.writers.service.Failure;

/**
 * Runs a {@link BatchPlan} on N threads of one JVM, largest input first: every input gets its own
 * conversion (one checkpoint open, bounded buffers), so memory grows with N, not with the number of
 * files. A failure is reported and the others continue, unless fail-fast; {@link #cancel} stops
 * scheduling and interrupts running conversions, whose temporaries are deleted as on any failure.
 *
 * <p>The listener's {@code finished} calls are serialized (one at a time, in completion order), so
 * it may write a report without locking; {@code bytes} comes from any worker thread.
 */
public final class BatchRunner {

    /** Told what happens. */
    public interface Listener {
        /** An input is done: converted, skipped or failed. Called one at a time. */
        void finished(BatchOutcome outcome);

        /** Tensor bytes handed to a writer, from any worker thread. */
        default void bytes(long n) {
        }
    }

    private final ConversionService service;
    private final ConversionRequest template;
    private final int jobs;
    private final boolean failFast;
    private final boolean cleanStaleTemps;
    private final Listener listener;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile ExecutorService pool;

    /**
     * @param template        everything but input and output: format, selection, names, options
     *                        (its {@code force} redoes up-to-date outputs; a stale output is always replaced)
     * @param jobs            conversions at once, at least 1
     * @param failFast        start nothing more after the first failure (running ones finish)
     * @param cleanStaleTemps delete temporaries a killed run left beside each output before writing
     *                        it; only when no other process writes there ({@link OutDirLock})
     */
    public BatchRunner(ConversionService service, ConversionRequest template, int jobs, boolean failFast,
                       boolean cleanStaleTemps, Listener listener) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1: " + jobs);
        }
        this.service = Objects.requireNonNull(service, "service");
        this.template = Objects.requireNonNull(template, "template");
        this.jobs = jobs;
        this.failFast = failFast;
        this.cleanStaleTemps = cleanStaleTemps;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Stops the run: nothing more starts, running conversions are interrupted and leave no output. */
    public void cancel() {
        cancelled.set(true);
        stop.set(true);
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
    }

    /**
     * Runs every item of {@code plan} and returns the totals. An interrupt of the calling thread
     * cancels the run.
     */
    public BatchSummary run(BatchPlan plan) throws IOException {
        long start = System.nanoTime();
        AtomicInteger converted = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        Files.createDirectories(plan.outDir());
        Path root = plan.outDir();
        for (BatchItem item : plan.items()) {
            if (item.upToDate()) {
                skipped.incrementAndGet();
                report(BatchOutcome.skipped(item));
            }
        }
        ExecutorService p = Executors.newFixedThreadPool(jobs, new Workers());
        pool = p;
        if (cancelled.get()) {
            p.shutdownNow();
        }
        for (BatchItem item : plan.toConvert()) {
            if (p.isShutdown()) {
                break;
            }
            try {
                p.execute(() -> {
                    BatchOutcome o = runOne(item, root);
                    if (o == null) {
                        return;
                    }
                    if (o.status() == BatchOutcome.Status.OK) {
                        converted.incrementAndGet();
                        bytes.addAndGet(o.result().bytes());
                    } else {
                        failed.incrementAndGet();
                        if (failFast) {
                            stop.set(true);
                        }
                    }
                    report(o);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                break; // cancelled meanwhile
            }
        }
        p.shutdown();
        try {
            while (!p.awaitTermination(1, TimeUnit.SECONDS)) {
                // waiting for the running conversions
            }
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            awaitQuietly(p);
        }
        int done = converted.get() + skipped.get() + failed.get();
        return new BatchSummary(converted.get(), skipped.get(), failed.get(), plan.items().size() - done, bytes.get(),
                (System.nanoTime() - start) / 1e9, cancelled.get());
    }

    /** Converts one item; null when it was not run or was cancelled while running. */
    private BatchOutcome runOne(BatchItem item, Path root) {
        if (stop.get()) {
            return null;
        }
        long start = System.nanoTime();
        try {
            Path out = item.output();
            makeFolders(root, out.getParent());
            if (cleanStaleTemps) {
                StaleTemps.clean(out);
            }
            ConversionOptions opts = template.options()
                    .withForce(template.options().force() || Files.exists(out, LinkOption.NOFOLLOW_LINKS))
                    .withProgress(new Counting());
            ConversionRequest request = new ConversionRequest(item.file(), out, template.format(),
                    template.selection(), template.selectionText(), template.names(), template.rootName(), opts);
            ConversionResult result = service.convert(request);
            return BatchOutcome.ok(item, result);
        } catch (Throwable e) {
            if (cancelled.get()) {
                // Interrupted, or its temporary deleted by a shutdown hook: not the input's fault.
                return null;
            }
            if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError || e instanceof StackOverflowError)) {
                throw (VirtualMachineError) e;
            }
            return BatchOutcome.failed(item, Failure.of(e), (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Creates the folders from {@code root} down to {@code folder}, refusing a symbolic link on the way:
     * an output never lands outside the output root, and nothing is created through a link either.
     */
    static void makeFolders(Path root, Path folder) throws IOException {
        if (folder.equals(root)) {
            return;
        }
        Path p = root;
        for (Path seg : root.relativize(folder)) {
            p = p.resolve(seg);
            if (Files.isSymbolicLink(p)) {
                throw new IOException(p + " is a symbolic link; outputs stay inside the output folder " + root
                        + ", not writing through it");
            }
            try {
                Files.createDirectory(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(p + " exists and is not a folder; cannot write outputs under it");
                }
            }
        }
    }

    private void report(BatchOutcome o) {
        synchronized (listener) {
            listener.finished(o);
        }
    }

    private static void awaitQuietly(ExecutorService p) {
        boolean interrupted = false;
        while (true) {
            try {
                if (p.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands a conversion's bytes to the listener. */
    private final class Counting implements Progress {
        @Override
        public void start(long totalBytes) {
        }

        @Override
        public void advance(long n) {
            listener.bytes(n);
        }
    }

    /** Daemon worker threads: a stuck conversion never keeps the JVM alive after the command returns. */
    private static final class Workers implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger seq = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "pthconvert-batch-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
