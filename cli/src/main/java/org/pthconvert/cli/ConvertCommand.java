package org.pthconvert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.select.Selected;
import org.pthconvert.select.WeightSelector;
import org.pthconvert.writers.Conversion;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.Writers;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pthconvert convert IN OUT}: the main job. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a checkpoint's tensors to another format, streaming, bit-exact, without running "
                + "anything from the file. The format comes from --to or OUT's extension:",
                "  safetensors (.safetensors)  Hugging Face safetensors; a directory of shards with --max-shard-size",
                "  npz (.npz)                  NumPy archive of .npy members; bfloat16/float8 are widened exactly "
                        + "to float32 (or kept as raw bits with --raw-bits)",
                "Output appears atomically: written beside OUT, renamed when complete.", ""},
        footer = {"", "Examples:",
                "  pthconvert convert model.pth model.safetensors",
                "  pthconvert convert train.ckpt weights.npz --select model --strip-prefix module.",
                "  pthconvert convert big.bin out/ --to safetensors --max-shard-size 5GB --dtype bfloat16",
                "", "Exit status: 0 converted, 1 bad, refused or unsupported input, 2 usage error."})
public final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "The checkpoint (.pth .pt .bin .ckpt).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The output file (or directory with --max-shard-size).")
    Path out;

    @Option(names = "--to", paramLabel = "FORMAT", description = "Output format: safetensors or npz "
            + "(default: from OUT's extension).")
    String to;

    @Mixin
    ReaderOptions reader;

    @Option(names = "--dtype", paramLabel = "TYPE", description = "Cast floating tensors to float16, bfloat16 or "
            + "float32 with torch's rounding (nearest even). Integer and bool tensors are left alone.")
    String dtype;

    @Option(names = "--dedupe", description = "Write tensors that share their bytes (tied weights) once, under the "
            + "sorted-first name covering the whole storage; record removed=kept in the metadata.")
    boolean dedupe;

    @Option(names = "--skip-unsupported", description = "Skip (and report) tensors whose type the format "
            + "cannot hold (complex128 in safetensors, quantized), and meta or sparse tensors, instead of refusing "
            + "the file. Names a format would confuse are still refused: rename or exclude them.")
    boolean skipUnsupported;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Add a string to the safetensors "
            + "__metadata__ (repeatable); format=pt is always written.")
    List<String> metadata = new ArrayList<>();

    @Option(names = "--max-shard-size", paramLabel = "SIZE", description = "Write OUT as a directory of "
            + "Hugging Face shards of at most SIZE (5GB, 500MB, 2GiB) with model.safetensors.index.json.")
    String maxShardSize;

    @Option(names = "--compress", description = "npz: deflate members like numpy.savez_compressed.")
    boolean compress;

    @Option(names = "--raw-bits", description = "npz: keep bfloat16/float8 as their bit patterns (<u2 / |u1) "
            + "instead of widening them to float32.")
    boolean rawBits;

    @Option(names = {"-f", "--force"}, description = "Replace OUT if it exists.")
    boolean force;

    @Option(names = "--sync", description = "fsync the output before renaming it into place.")
    boolean sync;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar and no summary line.")
    boolean quiet;

    @Option(names = "--json", description = "Print the summary as one JSON document on stdout.")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    /** Launchers such as pth2safetensors fix the format. */
    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        TensorWriter writer = to != null ? Writers.standard().byName(to) : Writers.standard().forPath(out);
        ConversionOptions options = options(err);
        try (Checkpoint ckpt = Checkpoint.open(in)) {
            Selected selected = reader.nameRules().apply(WeightSelector.select(ckpt, reader.selection()));
            long total = selected.tensors().stream().mapToLong(t -> t.source().view().byteLength()).sum();
            LongConsumer bar = ProgressBar.create(err, total, quiet || json);
            Conversion.Report report;
            try {
                report = Conversion.run(ckpt, selected, writer, out, options.withProgress(bar));
            } finally {
                ProgressBar.finish(bar);
            }
            summary(report, writer);
            return ExitCode.OK;
        } catch (CheckpointException e) {
            throw e.inFile(in);
        }
    }

    private ConversionOptions options(PrintWriter err) {
        Dtype cast = null;
        if (dtype != null) {
            cast = Dtype.parseUserName(dtype).filter(d -> d == Dtype.F16 || d == Dtype.BF16 || d == Dtype.F32)
                    .orElseThrow(() -> new IllegalArgumentException("--dtype takes float16, bfloat16 or float32, not '"
                            + dtype + "'"));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (String kv : metadata) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--metadata takes KEY=VALUE, got '" + kv + "'");
            }
            meta.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        long shard = maxShardSize == null ? 0 : Sizes.parse(maxShardSize);
        WriteOptions w = WriteOptions.DEFAULTS.withMaxShardSize(shard).withCompress(compress).withRawBits(rawBits)
                .withSync(sync);
        return new ConversionOptions(cast, dedupe, skipUnsupported, force, meta, w);
    }

    private void summary(Conversion.Report r, TensorWriter writer) {
        double secs = r.nanos() / 1e9;
        if (json) {
            Json j = new Json().beginObject().field("input", in.toString()).field("output", out.toString())
                    .field("format", writer.name()).field("tensors", r.tensors()).field("bytes", r.bytes());
            j.name("seconds").number(secs);
            j.name("notes").beginArray();
            r.notes().forEach(j::string);
            j.endArray().name("skipped").beginArray();
            r.skipped().forEach(j::string);
            j.endArray().endObject();
            spec.commandLine().getOut().println(j);
            spec.commandLine().getOut().flush();
        }
        if (quiet || json) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        String line = String.format(Locale.ROOT, "%s -> %s: %d tensors, %s in %.2f s (%s/s)", in, out, r.tensors(),
                Sizes.human(r.bytes()), secs, Sizes.human((long) (r.bytes() / Math.max(secs, 1e-9))));
        if (!r.notes().isEmpty()) {
            line += "; " + String.join("; ", r.notes());
        }
        err.println(line);
        err.flush();
    }
}
