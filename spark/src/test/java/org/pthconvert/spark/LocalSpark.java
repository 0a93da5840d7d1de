package org.pthconvert.spark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * One local Spark for every test class of the run (starting Spark is most of a test's time):
 * two worker threads, and up to four attempts per task so that a failed attempt is retried.
 */
final class LocalSpark {
    private static SparkSession session;
    private static final AtomicInteger FAILED_ATTEMPTS = new AtomicInteger();

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,4]").appName("pthconvert-it")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
            session.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.taskInfo().failed()) {
                        FAILED_ATTEMPTS.incrementAndGet();
                    }
                }
            });
        }
        return session;
    }

    /** Task attempts that failed so far (counted by a listener; events arrive asynchronously). */
    static int failedAttempts() {
        return FAILED_ATTEMPTS.get();
    }

    /** A job run's exit status and what it printed on stderr. */
    record Run(int status, String stderr) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            try {
                status = ConvertJob.run(JobOptions.parse(args), session(), System.out, p);
            } catch (org.pthconvert.errors.InvalidRequestException e) {
                status = ConvertJob.USAGE;
                p.println(e.getMessage());
            }
        }
        String text = err.toString(StandardCharsets.UTF_8);
        System.err.print(text);
        return new Run(status, text);
    }
}
