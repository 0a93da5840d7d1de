package org.pthconvert.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.cli.args.Positional;
import org.pthconvert.cli.args.Spec;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.Writers;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.ConversionService;


/**
 * {@code pthconvert strip IN OUT.pth}: a training checkpoint becomes the weights-only file deployment
 * loads. The conversion service with the pth writer, plus a summary of what was left out.
 */
public final class StripCommand {

    static final String NAME = "pthconvert strip";

    /** The writer strip always uses. */
    static final String FORMAT = "pth";

    private final Args args;
    private final Path in;
    private final Path out;
    private final ReaderOptions reader;
    private final String dtype;
    private final boolean skipUnsupported;
    private final double maxExpand;
    private final List<String> writerOptions;
    private final boolean force;
    private final boolean sync;
    private final boolean quiet;
    private final boolean json;
    private final PrintWriter stdout;
    private final PrintWriter stderr;

    StripCommand(Args args, PrintWriter stdout, PrintWriter stderr) {
        this.args = args;
        in = args.pathAt(0);
        out = args.pathAt(1);
        reader = new ReaderOptions(args);
        dtype = args.string("--dtype");
        skipUnsupported = args.flag("--skip-unsupported");
        maxExpand = args.number("--max-expand");
        writerOptions = args.list("-O");
        force = args.flag("--force");
        sync = args.flag("--sync");
        quiet = args.flag("--quiet");
        json = args.flag("--json");
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The table, with the pth writer's own flags (--keep-storages, ...). */
    static Spec spec() {
        List<Opt> options = new ArrayList<>(ReaderOptions.OPTIONS);
        options.addAll(List.of(
                ConvertCommand.ConvertOptions.DTYPE,
                Opt.flag("--skip-unsupported", "Skip (and report) meta or sparse tensors instead of refusing the "
                        + "file."),
                Opt.value("--max-expand", "X", "Refuse an output more than X times the tensor bytes the input "
                        + "stores; 0 for no limit. Default: 16.").typed(Opt.Type.DOUBLE).withDefault("16"),
                Opt.list("-O", "KEY=VALUE", "A setting of the pth writer by key (repeatable)."),
                Opt.flag("-f", "--force", "Replace OUT if it exists (never IN)."),
                ConvertCommand.ConvertOptions.SYNC, ConvertCommand.ConvertOptions.QUIET,
                ConvertCommand.ConvertOptions.JSON));
        options.addAll(CommonOptions.OPTIONS);
        options.addAll(WriterFlags.options(pthOnly()));
        return new Spec(NAME, List.of("Write only the model weights of a checkpoint as a weights-only .pth, "
                + "exactly as torch.save(model.state_dict()) writes it: torch.load(OUT, weights_only=True) gives "
                + "the same tensors bit for bit (mmap=True works), and load_state_dict accepts them. Optimizer "
                + "state, schedulers, counters and anything else are left out; tied weights stay tied; module "
                + "versions (_metadata) are kept, renamed like the tensors."), options,
                List.of(Positional.one("IN", Opt.Type.PATH, "The checkpoint (.pth .pt .bin .ckpt)."),
                        Positional.one("OUT", Opt.Type.PATH, "The weights-only file to write (.pth, .pt).")),
                List.of(), List.of("", "Examples:",
                        "  pthconvert strip train.ckpt model.pth",
                        "  pthconvert strip ddp_checkpoint.pt model.pth --dtype bfloat16",
                        "", "Exit status: 0 written, 1 bad, refused or unsupported input, 2 usage error, "
                                + "70 internal error."));
    }

    private static Writers pthOnly() {
        return Writers.of(List.of(Writers.standard().byName(FORMAT)));
    }

    int call() throws Exception {
        refuseOverwritingInput();
        ConversionService service = ConversionService.standard();
        TensorWriter writer = service.writers().byName(FORMAT);
        ProgressBar bar = ProgressBar.create(stderr, quiet || json);
        ConversionRequest request = ConversionRequest.of(in, out).withFormat(FORMAT)
                .withSelection(reader.select).withNames(reader.nameRules()).withRootName(reader.name)
                .withOptions(options(writer).withProgress(bar.target()));
        service.check(request);
        ConversionResult result;
        StripSummary summary;
        // One opening serves the conversion and the summary (what was dropped is read from the same
        // tree): a checkpoint of 100,000 tensors takes a second to open.
        try (Checkpoint ckpt = Checkpoint.open(in)) {
            result = service.convert(request, ckpt);
            summary = StripSummary.of(result, ckpt, Files.size(in), Files.size(out));
        } finally {
            bar.close();
        }
        if (json) {
            stdout.println(summary.json(Summaries.json(result)));
            stdout.flush();
        } else if (!quiet) {
            stderr.println(summary.line());
            Summaries.warnings(stderr, result);
            stderr.flush();
        }
        return ExitCode.OK;
    }

    /** Even with --force: the input is what the user keeps. */
    private void refuseOverwritingInput() throws java.io.IOException {
        boolean same = Files.exists(out) ? Files.exists(in) && Files.isSameFile(in, out)
                : in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize());
        if (same) {
            throw new InvalidRequestException("OUT is the input " + in + "; strip never overwrites its input");
        }
    }

    private ConversionOptions options(TensorWriter writer) {
        Dtype cast = ConvertCommand.ConvertOptions.castTarget(dtype);
        ConvertCommand.ConvertOptions.checkMaxExpand(maxExpand);
        WriteOptions w = new WriteOptions(Map.of(), 0, false, false, sync,
                WriterFlags.values(args, pthOnly(), writer, writerOptions));
        return ConversionOptions.defaults().withCastTo(cast).withSkipUnsupported(skipUnsupported).withForce(force)
                .withMaxExpand(maxExpand).withWriteOptions(w);
    }
}
