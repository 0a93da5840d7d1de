package org.pthconvert.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.cli.args.Positional;
import org.pthconvert.cli.args.Spec;
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

/** {@code pthconvert convert IN OUT}: the main job, a thin shell over {@link ConversionService}. */
public final class ConvertCommand {

    static final String NAME = "pthconvert convert";

    private static final List<String> FOOTER = List.of("", "Examples:",
            "  pthconvert convert model.pth model.safetensors",
            "  pthconvert convert train.ckpt weights.npz --select model --strip-prefix module.",
            "  pthconvert convert big.bin out/ --to safetensors --max-shard-size 5GB --dtype bfloat16",
            "", "Exit status: 0 converted, 1 bad, refused or unsupported input, 2 usage error, 70 internal error.");

    private final Args args;
    private final PrintWriter out;
    private final PrintWriter err;

    ConvertCommand(Args args, PrintWriter out, PrintWriter err) {
        this.args = args;
        this.out = out;
        this.err = err;
    }

    /** The table: the installed formats in the description, every writer's own flags among the options. */
    static Spec spec() {
        Writers writers = Writers.standard();
        List<Opt> options = new ArrayList<>();
        options.add(Opt.value("--to", "FORMAT", "Output format (default: from OUT's extension); one of the "
                + "formats listed above."));
        options.addAll(ReaderOptions.OPTIONS);
        options.addAll(ConvertOptions.OPTIONS);
        options.addAll(CommonOptions.OPTIONS);
        options.addAll(WriterFlags.options(writers));
        return new Spec(NAME, WriterFlags.describe(writers, "Convert a checkpoint's tensors to another format, "
                + "streaming, bit-exact, without running anything from the file. The format comes from --to or "
                + "OUT's extension:", "Output appears atomically: written beside OUT, renamed when complete."),
                options, List.of(Positional.one("IN", Opt.Type.PATH, "The checkpoint (.pth .pt .bin .ckpt)."),
                        Positional.one("OUT", Opt.Type.PATH, "The output file (or directory with --max-shard-size).")),
                List.of(), FOOTER);
    }

    int call() throws Exception {
        ConversionService service = ConversionService.standard();
        ConversionRequest request = ConversionRequest.of(args.pathAt(0), args.pathAt(1))
                .withFormat(args.string("--to"));
        TensorWriter writer = service.writerFor(request);
        ReaderOptions reader = new ReaderOptions(args);
        ConvertOptions convert = new ConvertOptions(args);
        ProgressBar bar = ProgressBar.create(err, convert.quiet || convert.json);
        request = request.withSelection(reader.select).withNames(reader.nameRules()).withRootName(reader.name)
                .withOptions(convert.options(args, writer).withProgress(bar.target()));
        ConversionResult result;
        try {
            result = service.convert(request);
        } finally {
            bar.close();
        }
        Summaries.print(out, err, result, convert.quiet, convert.json);
        return ExitCode.OK;
    }

    /** The options of convert that are also those of strip and batch. */
    public static final class ConvertOptions {

        // Spelled the same in strip's table, which takes these four as they are.
        static final Opt DTYPE = Opt.value("--dtype", "TYPE", "Cast floating tensors to float16, bfloat16 or "
                + "float32 with torch's rounding (nearest even). Integer and bool tensors are left alone.");
        static final Opt SYNC = Opt.flag("--sync", "fsync the output before renaming it into place.");
        static final Opt QUIET = Opt.flag("-q", "--quiet", "No progress bar and no summary line.");
        static final Opt JSON = Opt.flag("--json", "Print the summary as one JSON document on stdout.");

        static final List<Opt> OPTIONS = List.of(
                DTYPE,
                Opt.flag("--dedupe", "Write tensors that share their bytes (tied weights) once, under the "
                        + "sorted-first name covering the whole storage; record removed=kept in the metadata."),
                Opt.flag("--skip-unsupported", "Skip (and report) tensors whose type the format cannot hold "
                        + "(complex128 in safetensors, quantized), and meta or sparse tensors, instead of refusing "
                        + "the file. Names a format would confuse are still refused: rename or exclude them."),
                Opt.list("--metadata", "KEY=VALUE", "Add a string to the output's metadata (safetensors "
                        + "__metadata__, ONNX metadata_props, HDF5 root attributes; repeatable)."),
                Opt.value("--max-shard-size", "SIZE", "Write OUT as a directory of Hugging Face shards of at most "
                        + "SIZE (5GB, 500MB, 2GiB) with model.safetensors.index.json."),
                Opt.flag("--compress", "Deflate where the format allows (npz like numpy.savez_compressed, hdf5 "
                        + "like h5py's compression=\"gzip\")."),
                Opt.flag("--raw-bits", "Keep bfloat16/float8 as their bit patterns (uint16 / uint8) in formats "
                        + "without those types, instead of widening them exactly to float32."),
                Opt.value("--max-expand", "X", "Refuse an output more than X times the tensor bytes the input "
                        + "stores (views that repeat their data can describe terabytes); 0 for no limit. "
                        + "Default: 16.").typed(Opt.Type.DOUBLE).withDefault("16"),
                Opt.list("-O", "KEY=VALUE", "A writer's own setting by key (the writer flags below show their "
                        + "keys; repeatable)."),
                Opt.flag("-f", "--force", "Replace OUT if it exists."),
                SYNC, QUIET, JSON);

        final String dtype;
        final boolean dedupe;
        final boolean skipUnsupported;
        final List<String> metadata;
        final String maxShardSize;
        final boolean compress;
        final boolean rawBits;
        final double maxExpand;
        final List<String> writerOptions;
        final boolean force;
        final boolean sync;
        final boolean quiet;
        final boolean json;

        ConvertOptions(Args args) {
            dtype = args.string("--dtype");
            dedupe = args.flag("--dedupe");
            skipUnsupported = args.flag("--skip-unsupported");
            metadata = args.list("--metadata");
            maxShardSize = args.string("--max-shard-size");
            compress = args.flag("--compress");
            rawBits = args.flag("--raw-bits");
            maxExpand = args.number("--max-expand");
            writerOptions = args.list("-O");
            force = args.flag("--force");
            sync = args.flag("--sync");
            quiet = args.flag("--quiet");
            json = args.flag("--json");
        }

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
        ConversionOptions options(Args args, TensorWriter writer) {
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
                    WriterFlags.values(args, Writers.standard(), writer, writerOptions));
            return ConversionOptions.defaults().withCastTo(cast).withDedupe(dedupe)
                    .withSkipUnsupported(skipUnsupported).withForce(force).withMaxExpand(maxExpand)
                    .withWriteOptions(w);
        }
    }
}
