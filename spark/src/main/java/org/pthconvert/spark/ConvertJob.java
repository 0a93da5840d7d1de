package org.pthconvert.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.service.ConversionService;

/**
 * The Spark application: {@code batch} across a cluster. The driver resolves the inputs, runs one
 * task per input (largest first), collects one row per input, removes temporaries a dead executor
 * left, writes the report and prints one summary line. Exit status as {@code batch}: 0 every input
 * converted or skipped, 1 some input failed, 2 usage error.
 */
public final class ConvertJob {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private ConvertJob() {
    }

    public static void main(String[] args) {
        System.exit(main(args, System.out, System.err));
    }

    /** Parses, starts (or joins) the Spark session from the submit's configuration, runs, stops. */
    static int main(String[] args, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                out.println(JobOptions.USAGE);
                return OK;
            }
        }
        JobOptions options;
        try {
            options = JobOptions.parse(args);
        } catch (InvalidRequestException e) {
            err.println("pthconvert-spark: " + e.getMessage());
            err.println(JobOptions.USAGE);
            return USAGE;
        }
        long start = System.nanoTime();
        SparkSession spark = SparkSession.builder().appName("pthconvert").getOrCreate();
        err.printf(Locale.ROOT, "pthconvert-spark: Spark %s up in %.1f s (%s)%n", spark.version(),
                (System.nanoTime() - start) / 1e9, spark.sparkContext().master());
        try {
            return run(options, spark, out, err);
        } finally {
            spark.stop();
        }
    }

    /** Runs the job in an existing session (tests share one). */
    static int run(JobOptions options, SparkSession spark, PrintStream out, PrintStream err) {
        long start = System.nanoTime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<Input> inputs;
        TensorWriter writer;
        try {
            writer = ConversionService.standard().writers().byName(options.to());
            inputs = InputResolver.resolve(options, conf);
            if (inputs.isEmpty()) {
                throw new InvalidRequestException("no checkpoint found in " + String.join(" ", options.inputs()));
            }
            checkDistinctOutputs(inputs, writer, options);
        } catch (InvalidRequestException e) {
            err.println("pthconvert-spark: " + e.getMessage());
            return USAGE;
        } catch (IOException e) {
            err.println("pthconvert-spark: cannot list the inputs: " + e.getMessage());
            return USAGE;
        }
        // The application and the run: temporaries of two runs in one application never share a name.
        String appTag = spark.sparkContext().applicationId().replaceAll("[^A-Za-z0-9_-]", "_") + "-"
                + Long.toString(System.currentTimeMillis(), 36);
        var sc = spark.sparkContext();
        ConvertTask task = new ConvertTask(options, conf, appTag,
                Boolean.parseBoolean(spark.conf().get(ConvertTask.HADOOP_READS, "false")),
                spark.conf().get(ConvertTask.FAIL_ONCE, null));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        jsc.setJobDescription("pthconvert: " + inputs.size() + " checkpoints to " + options.to());
        long listed = System.nanoTime();
        List<ReportRow> rows;
        try {
            rows = ReportWriter.dedupe(jsc.parallelize(inputs, inputs.size()).map(task).collect());
        } catch (RuntimeException e) {
            // Spark gave up on a task after its retries: the cluster failed, not an input.
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            err.println("pthconvert-spark: the Spark job failed: " + why);
            return FAILED;
        } finally {
            sweep(inputs, options, conf, appTag, err);
        }
        long converted = System.nanoTime();
        if (options.report() != null) {
            ReportWriter.write(spark, rows, options.report(), options.reportFormat());
        }
        long end = System.nanoTime();
        return summarize(rows, new double[] {(end - start) / 1e9, (listed - start) / 1e9, (converted - listed) / 1e9,
            (end - converted) / 1e9}, err);
    }

    /** Two inputs to one output (a/x.pth and b/x.pth given as files) would overwrite each other. */
    private static void checkDistinctOutputs(List<Input> inputs, TensorWriter writer, JobOptions options) {
        Map<String, String> byOutput = new HashMap<>();
        for (Input in : inputs) {
            String out = new Path(OutputNames.folder(options.outDir(), in.relative()),
                    OutputNames.mainName(in.relative(), writer, options)).toString();
            String other = byOutput.putIfAbsent(out, in.uri());
            if (other != null) {
                throw new InvalidRequestException(other + " and " + in.uri() + " would both be converted to " + out
                        + "; give their common folder instead");
            }
        }
    }

    private static void sweep(List<Input> inputs, JobOptions options, Configuration conf, String appTag,
                              PrintStream err) {
        Set<Path> folders = new LinkedHashSet<>();
        inputs.forEach(in -> folders.add(OutputNames.folder(options.outDir(), in.relative())));
        try {
            FileSystem fs = new Path(options.outDir()).getFileSystem(conf);
            int n = OutputPublisher.sweep(fs, folders, appTag);
            if (n > 0) {
                err.println("pthconvert-spark: removed " + n + " temporaries that failed task attempts left");
            }
        } catch (IOException e) {
            err.println("pthconvert-spark: could not remove temporaries: " + e.getMessage());
        }
    }

    /** {@code seconds}: the whole run, listing the inputs, the conversion tasks, writing the report. */
    private static int summarize(List<ReportRow> rows, double[] seconds, PrintStream err) {
        int ok = 0;
        int skipped = 0;
        List<ReportRow> failed = new ArrayList<>();
        long tensors = 0;
        long bytes = 0;
        for (ReportRow r : rows) {
            switch (r.status()) {
                case OK -> ok++;
                case SKIPPED -> skipped++;
                case FAILED -> failed.add(r);
            }
            tensors += r.tensors();
            bytes += r.bytes();
        }
        for (ReportRow r : failed) {
            err.println("pthconvert-spark: failed: " + r.error());
        }
        err.printf(Locale.ROOT, "pthconvert-spark: %d inputs: %d converted, %d skipped, %d failed; %d tensors,"
                + " %.1f MB in %.1f s (listing %.1f s, tasks %.1f s, report %.1f s)%n", rows.size(), ok, skipped,
                failed.size(), tensors, bytes / 1e6, seconds[0], seconds[1], seconds[2], seconds[3]);
        return failed.isEmpty() ? OK : FAILED;
    }
}
