package org.pthconvert.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.writers.OutputFiles;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.ConversionService;

/**
 * One task: one input to its outputs and its report row. Skips an input whose output is at least as
 * new (unless {@code --force}); reads the checkpoint in place (a local file through its
 * {@code FileChannel}, any other file system through {@link HadoopReadChannel}); converts onto local
 * disk, or straight into a temporary folder beside the outputs when the target is local too; then
 * publishes ({@link OutputPublisher}). A bad input is a {@code failed} row, never a failed task: only
 * a failure of the machinery (and the test's injected one) lets Spark retry the task.
 */
final class ConvertTask implements Function<Input, ReportRow> {
    private static final long serialVersionUID = 1L;

    /** Spark conf key: read local files through Hadoop too (tests the remote path on file://). */
    static final String HADOOP_READS = "spark.pthconvert.hadoopReads";
    /** Spark conf key, for tests: the relative path of an input whose first attempt dies mid-publish. */
    static final String FAIL_ONCE = "spark.pthconvert.test.failOnce";

    private final JobOptions options;
    private final HashMap<String, String> hadoopConf;
    private final String appTag;
    private final boolean hadoopReads;
    private final String failOnce;

    ConvertTask(JobOptions options, Configuration conf, String appTag, boolean hadoopReads, String failOnce) {
        this.options = options;
        this.hadoopConf = new HashMap<>();
        for (Map.Entry<String, String> e : conf) {
            hadoopConf.put(e.getKey(), e.getValue());
        }
        this.appTag = appTag;
        this.hadoopReads = hadoopReads;
        this.failOnce = failOnce;
    }

    /** Thrown by the test hook: a task failure Spark must retry (never a report row). */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String what) {
            super(what);
        }
    }

    @Override
    public ReportRow call(Input in) throws Exception {
        long start = System.nanoTime();
        Configuration conf = conf();
        TensorWriter writer = ConversionService.standard().writers().byName(options.to());
        String mainName = OutputNames.mainName(in.relative(), writer, options);
        Path folder = OutputNames.folder(options.outDir(), in.relative());
        Path dest = new Path(folder, mainName);
        FileSystem outFs = dest.getFileSystem(conf);
        dest = outFs.makeQualified(dest);
        boolean replace;
        try {
            FileStatus existing = outFs.getFileStatus(dest);
            if (!options.force() && existing.getModificationTime() >= in.modified()) {
                return ReportRow.skipped(in.uri(), dest.toString());
            }
            replace = true;
        } catch (FileNotFoundException absent) {
            replace = false;
        } catch (IOException e) {
            return ReportRow.failed(in.uri(), dest.toString(), FailureLine.of(e), seconds(start));
        }
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        String tag = appTag + "-p" + (task == null ? 0 : task.partitionId()) + "-a" + attempt;
        boolean inPlace = "file".equals(outFs.getScheme());
        java.nio.file.Path stage = null;
        try {
            outFs.mkdirs(folder);
            stage = inPlace
                    ? Files.createDirectories(java.nio.file.Path.of(URI.create(outFs.makeQualified(folder).toString()))
                            .resolve(OutputPublisher.tempName(mainName, tag)))
                    : Files.createTempDirectory(localDir(), "pthconvert-" + tag + "-");
            ConversionResult result = convert(in, stage.resolve(mainName), conf);
            boolean fail = attempt == 0 && in.relative().equals(failOnce);
            OutputPublisher publisher = new OutputPublisher(outFs, tag, (temp, bytes, total) -> {
                if (fail && bytes * 2 >= total) {
                    throw new InjectedFailure("injected failure halfway through uploading " + temp);
                }
            });
            if (inPlace) {
                if (fail) {
                    throw new InjectedFailure("injected failure with the outputs staged in " + stage);
                }
                publisher.publishStaged(result.outputs(), folder, replace);
            } else {
                publisher.publish(result.outputs(), folder, replace);
            }
            return new ReportRow(in.uri(), dest.toString(), Status.OK, null, result.tensors(), result.bytes(),
                    seconds(start));
        } catch (InjectedFailure e) {
            throw e;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            return ReportRow.failed(in.uri(), dest.toString(), FailureLine.of(e), seconds(start));
        } finally {
            if (stage != null) {
                deleteTree(stage);
            }
        }
    }

    private ConversionResult convert(Input in, java.nio.file.Path out, Configuration conf) throws Exception {
        Path path = new Path(in.uri());
        FileSystem fs = path.getFileSystem(conf);
        ConversionService service = ConversionService.standard();
        if ("file".equals(fs.getScheme()) && !hadoopReads) {
            java.nio.file.Path local = java.nio.file.Path.of(URI.create(fs.makeQualified(path).toString()));
            return service.convert(options.request(local, out));
        }
        // The name errors give: the path on its file system (the row's input column has the full URI).
        java.nio.file.Path name = java.nio.file.Path.of(path.toUri().getPath());
        ConversionRequest request = options.request(name, out);
        try (Checkpoint ckpt = Checkpoint.open(HadoopReadChannel.open(fs, path), name)) {
            return service.convert(request, ckpt);
        }
    }

    /** One Configuration per run per executor JVM, not one per task (it has ~1000 entries). */
    private static final ConcurrentHashMap<String, Configuration> CONFS = new ConcurrentHashMap<>();

    private Configuration conf() {
        return CONFS.computeIfAbsent(appTag, k -> {
            Configuration c = new Configuration(false);
            hadoopConf.forEach(c::set);
            return c;
        });
    }

    /** Spark's scratch space on this executor (SPARK_LOCAL_DIRS, as YARN and k8s set it), else tmp. */
    private static java.nio.file.Path localDir() throws IOException {
        String dirs = System.getenv("SPARK_LOCAL_DIRS");
        java.nio.file.Path p = java.nio.file.Path.of(dirs != null && !dirs.isBlank() ? dirs.split(",")[0]
                : System.getProperty("java.io.tmpdir"));
        return Files.createDirectories(p);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void deleteTree(java.nio.file.Path root) {
        try {
            OutputFiles.deleteRecursively(root);
        } catch (IOException ignored) {
            // best effort: a leftover in local scratch space is removed with the executor
        }
    }
}
