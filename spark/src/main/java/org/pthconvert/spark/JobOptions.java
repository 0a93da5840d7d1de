package org.pthconvert.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.select.Glob;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.Selection;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriterOption;
import org.pthconvert.writers.service.ConversionRequest;

/**
 * The job's options, parsed from its arguments (no picocli: the application jar stays small); sent
 * to every task. Values are checked here, on the driver, before any task runs.
 *
 * @param to             the writer's name
 * @param outDir         where outputs go (any Hadoop URI); the input tree is mirrored below it
 * @param inputs         files, directories, globs and {@code @manifest} files, as given
 * @param pattern        a glob the path below a given directory must match, or null for the
 *                       checkpoint extensions
 * @param report         a folder to write the report under, or null
 * @param reportFormat   json or parquet
 * @param force          convert even when an output newer than the input exists, replacing it
 * @param select         auto, all or a sub-tree
 * @param dtype          float16, bfloat16, float32 or null
 * @param skipUnsupported skip tensors the format cannot hold instead of failing the input
 * @param keepNames      keep a wrapper prefix shared by every name
 * @param stripPrefixes  prefixes to remove from names
 * @param maxShardSize   a shard limit in bytes, 0 for none
 */
public record JobOptions(String to, String outDir, List<String> inputs, String pattern, String report,
                         String reportFormat, boolean force, String select, String dtype, boolean skipUnsupported,
                         boolean keepNames, List<String> stripPrefixes, long maxShardSize) implements Serializable {

    /** File names taken from a directory when no --pattern is given. */
    static final List<String> CHECKPOINT_EXTENSIONS = List.of(".pth", ".pt", ".bin", ".ckpt");

    static final String USAGE = """
            usage: ConvertJob --to FORMAT --out-dir DIR [options] INPUT...
              INPUT               a file, a directory (searched recursively), a glob, or @FILE listing inputs
                                  one a line; any Hadoop file system URI (hdfs://, s3a://, file://)
              --to FORMAT         the output format (a writer name: safetensors, npz, ...)
              --out-dir DIR       where outputs go; the tree below each input directory is mirrored
              --pattern GLOB      which files of a directory to take (default: *.pth, *.pt, *.bin, *.ckpt)
              --report DIR        write one row per input under DIR (Spark JSON part files)
              --report-format F   json (default) or parquet
              --force             convert even when an output newer than its input exists
              --select SEL        auto (default), all, or a sub-tree such as model.encoder
              --dtype T           cast floating tensors to float16, bfloat16 or float32
              --skip-unsupported  skip tensors the format cannot hold, instead of failing the input
              --keep-names        keep a module./_orig_mod. prefix shared by every name
              --strip-prefix P    remove P from the start of names (repeatable)
              --max-shard-size S  write shards of at most S (e.g. 5GB) where the format supports it
            exit status: 0 every input converted or skipped, 1 some input failed, 2 usage error""";

    public JobOptions {
        inputs = List.copyOf(inputs);
        stripPrefixes = List.copyOf(stripPrefixes);
    }

    /**
     * @throws InvalidRequestException for a usage error, with the message to print
     */
    public static JobOptions parse(String... args) {
        String to = null;
        String outDir = null;
        String pattern = null;
        String report = null;
        String reportFormat = "json";
        boolean force = false;
        String select = "auto";
        String dtype = null;
        boolean skip = false;
        boolean keep = false;
        long shard = 0;
        List<String> strip = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--to" -> to = value(args, ++i, a);
                case "--out-dir" -> outDir = value(args, ++i, a);
                case "--pattern" -> pattern = value(args, ++i, a);
                case "--report" -> report = value(args, ++i, a);
                case "--report-format" -> reportFormat = value(args, ++i, a).toLowerCase(Locale.ROOT);
                case "--force" -> force = true;
                case "--select" -> select = value(args, ++i, a);
                case "--dtype" -> dtype = value(args, ++i, a);
                case "--skip-unsupported" -> skip = true;
                case "--keep-names" -> keep = true;
                case "--strip-prefix" -> strip.add(value(args, ++i, a));
                case "--max-shard-size" -> shard = size(value(args, ++i, a));
                default -> {
                    if (a.startsWith("--")) {
                        throw new InvalidRequestException("unknown option " + a);
                    }
                    inputs.add(a);
                }
            }
        }
        if (to == null) {
            throw new InvalidRequestException("--to FORMAT is required");
        }
        if (outDir == null) {
            throw new InvalidRequestException("--out-dir DIR is required");
        }
        if (inputs.isEmpty()) {
            throw new InvalidRequestException("no INPUT given");
        }
        if (!reportFormat.equals("json") && !reportFormat.equals("parquet")) {
            throw new InvalidRequestException("--report-format takes json or parquet, not " + reportFormat);
        }
        JobOptions o = new JobOptions(to, outDir, inputs, pattern, report, reportFormat, force, select, dtype, skip,
                keep, strip, shard);
        o.castTo();
        Selection.parse(select);
        if (pattern != null) {
            Glob.compile(pattern);
        }
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new InvalidRequestException(option + " needs a value");
        }
        return args[i];
    }

    private static long size(String text) {
        try {
            return WriterOption.parseSize(text);
        } catch (RuntimeException e) {
            throw new InvalidRequestException("--max-shard-size: not a size: " + text);
        }
    }

    Dtype castTo() {
        if (dtype == null) {
            return null;
        }
        return Dtype.parseUserName(dtype).filter(d -> d == Dtype.F16 || d == Dtype.BF16 || d == Dtype.F32)
                .orElseThrow(() -> new InvalidRequestException("--dtype takes float16, bfloat16 or float32, not "
                        + dtype));
    }

    /** Whether a file found below a given directory is an input. */
    boolean takes(String relative) {
        if (pattern != null) {
            return Glob.compile(pattern).matches(relative);
        }
        String lower = relative.toLowerCase(Locale.ROOT);
        return CHECKPOINT_EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    /** The request for one input, read from {@code in} (a name for errors) and written to {@code out}. */
    ConversionRequest request(java.nio.file.Path in, java.nio.file.Path out) {
        NameRules names = new NameRules(stripPrefixes, List.of(), List.of(), List.of(), keepNames);
        WriteOptions w = WriteOptions.DEFAULTS.withMaxShardSize(maxShardSize);
        ConversionOptions c = ConversionOptions.defaults().withCastTo(castTo()).withSkipUnsupported(skipUnsupported)
                .withWriteOptions(w);
        return ConversionRequest.of(in, out).withFormat(to).withSelection(select).withNames(names).withOptions(c);
    }
}
