package org.pthconvert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriterOption;
import org.pthconvert.writers.Writers;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.ConversionService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pthconvert convert IN OUT}: the main job, a thin shell over {@link ConversionService}. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a checkpoint's tensors to another format, streaming, bit-exact, without running "
                + "anything from the file. The format comes from --to or OUT's extension:"},
        footer = {"", "Examples:",
                "  pthconvert convert model.pth model.safetensors",
                "  pthconvert convert train.ckpt weights.npz --select model --strip-prefix module.",
                "  pthconvert convert big.bin out/ --to safetensors --max-shard-size 5GB --dtype bfloat16",
                "", "Exit status: 0 converted, 1 bad, refused or unsupported input, 2 usage error, "
                + "70 internal error."})
public final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "The checkpoint (.pth .pt .bin .ckpt).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The output file (or directory with --max-shard-size).")
    Path out;

    @Option(names = "--to", paramLabel = "FORMAT", description = "Output format (default: from OUT's extension); "
            + "one of the formats listed above.")
    String to;

    @Mixin
    ReaderOptions reader;

    @Mixin
    ConvertOptions convert;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    /** Lists the installed formats in the description and adds every writer's own flags. */
    static void configure(CommandSpec spec) {
        WriterFlags.describeAndAdd(spec, "Output appears atomically: written beside OUT, renamed when complete.");
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        ConversionService service = ConversionService.standard();
        ConversionRequest request = ConversionRequest.of(in, out).withFormat(to);
        TensorWriter writer = service.writerFor(request);
        ProgressBar bar = ProgressBar.create(err, convert.quiet || convert.json);
        request = request.withSelection(reader.select).withNames(reader.nameRules()).withRootName(reader.name)
                .withOptions(convert.options(spec, writer).withProgress(bar));
        ConversionResult result;
        try {
            result = service.convert(request);
        } finally {
            bar.close();
        }
        Summaries.print(spec, result, convert.quiet, convert.json);
        return ExitCode.OK;
    }

    /** The options of convert that are also those of strip and batch. */
    public static final class ConvertOptions {

        @Option(names = "--dtype", paramLabel = "TYPE", description = "Cast floating tensors to float16, bfloat16 or "
                + "float32 with torch's rounding (nearest even). Integer and bool tensors are left alone.")
        String dtype;

        @Option(names = "--dedupe", description = "Write tensors that share their bytes (tied weights) once, under "
                + "the sorted-first name covering the whole storage; record removed=kept in the metadata.")
        boolean dedupe;

        @Option(names = "--skip-unsupported", description = "Skip (and report) tensors whose type the format "
                + "cannot hold (complex128 in safetensors, quantized), and meta or sparse tensors, instead of "
                + "refusing the file. Names a format would confuse are still refused: rename or exclude them.")
        boolean skipUnsupported;

        @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Add a string to the output's "
                + "metadata (safetensors __metadata__, ONNX metadata_props, HDF5 root attributes; repeatable).")
        List<String> metadata = new ArrayList<>();

        @Option(names = "--max-shard-size", paramLabel = "SIZE", description = "Write OUT as a directory of "
                + "Hugging Face shards of at most SIZE (5GB, 500MB, 2GiB) with model.safetensors.index.json.")
        String maxShardSize;

        @Option(names = "--compress", description = "Deflate where the format allows (npz like "
                + "numpy.savez_compressed, hdf5 like h5py's compression=\"gzip\").")
        boolean compress;

        @Option(names = "--raw-bits", description = "Keep bfloat16/float8 as their bit patterns (uint16 / uint8) "
                + "in formats without those types, instead of widening them exactly to float32.")
        boolean rawBits;

        @Option(names = "--max-expand", paramLabel = "X", defaultValue = "16", description = "Refuse an output "
                + "more than X times the tensor bytes the input stores (views that repeat their data can describe "
                + "terabytes); 0 for no limit. Default: ${DEFAULT-VALUE}.")
        double maxExpand;

        @Option(names = "-O", paramLabel = "KEY=VALUE", description = "A writer's own setting by key "
                + "(the writer flags above show their keys; repeatable).")
        List<String> writerOptions = new ArrayList<>();

        @Option(names = {"-f", "--force"}, description = "Replace OUT if it exists.")
        boolean force;

        @Option(names = "--sync", description = "fsync the output before renaming it into place.")
        boolean sync;

        @Option(names = {"-q", "--quiet"}, description = "No progress bar and no summary line.")
        boolean quiet;

        @Option(names = "--json", description = "Print the summary as one JSON document on stdout.")
        boolean json;

        /** The dtype {@code --dtype} names (float16, bfloat16, float32), or null when not given. */
        static Dtype castTarget(String dtype) {
            if (dtype == null) {
                return null;
            }
            return Dtype.parseUserName(dtype).filter(d -> d == Dtype.F16 || d == Dtype.BF16 || d == Dtype.F32)
                    .orElseThrow(() -> new InvalidRequestException("--dtype takes float16, bfloat16 or float32, "
                            + "not '" + dtype + "'"));
        }

        static void checkMaxExpand(double maxExpand) {
            if (!(maxExpand >= 0)) {
                throw new InvalidRequestException("--max-expand takes a number >= 0, not " + maxExpand);
            }
        }

        /** @throws InvalidRequestException for a bad value, before any work */
        ConversionOptions options(CommandSpec spec, TensorWriter writer) {
            Dtype cast = castTarget(dtype);
            Map<String, String> meta = new LinkedHashMap<>();
            for (String kv : metadata) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new InvalidRequestException("--metadata takes KEY=VALUE, got '" + kv + "'");
                }
                meta.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            checkMaxExpand(maxExpand);
            if (dedupe && !writer.keepsMetadata()) {
                throw new InvalidRequestException("--dedupe records removed=kept names in the output's metadata, "
                        + "which " + writer.name() + " cannot hold; without it the removed names would be lost");
            }
            long shard = maxShardSize == null ? 0 : WriterOption.parseSize(maxShardSize);
            WriteOptions w = new WriteOptions(meta, shard, compress, rawBits, sync,
                    WriterFlags.values(spec, Writers.standard(), writer, writerOptions));
            return ConversionOptions.defaults().withCastTo(cast).withDedupe(dedupe)
                    .withSkipUnsupported(skipUnsupported).withForce(force).withMaxExpand(maxExpand)
                    .withWriteOptions(w);
        }
    }
}
