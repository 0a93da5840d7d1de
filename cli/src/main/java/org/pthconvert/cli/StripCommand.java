package org.pthconvert.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.Writers;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionResult;
import org.pthconvert.writers.service.ConversionService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code pthconvert strip IN OUT.pth}: a training checkpoint becomes the weights-only file deployment
 * loads. The conversion service with the pth writer, plus a summary of what was left out.
 */
@Command(name = "strip", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write only the model weights of a checkpoint as a weights-only .pth, exactly as "
                + "torch.save(model.state_dict()) writes it: torch.load(OUT, weights_only=True) gives the same "
                + "tensors bit for bit (mmap=True works), and load_state_dict accepts them. Optimizer state, "
                + "schedulers, counters and anything else are left out; tied weights stay tied; module versions "
                + "(_metadata) are kept, renamed like the tensors.", ""},
        footer = {"", "Examples:",
                "  pthconvert strip train.ckpt model.pth",
                "  pthconvert strip ddp_checkpoint.pt model.pth --dtype bfloat16",
                "", "Exit status: 0 written, 1 bad, refused or unsupported input, 2 usage error, 70 internal error."})
public final class StripCommand implements Callable<Integer> {

    /** The writer strip always uses. */
    static final String FORMAT = "pth";

    @Parameters(index = "0", paramLabel = "IN", description = "The checkpoint (.pth .pt .bin .ckpt).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The weights-only file to write (.pth, .pt).")
    Path out;

    @Mixin
    ReaderOptions reader;

    @Option(names = "--dtype", paramLabel = "TYPE", description = "Cast floating tensors to float16, bfloat16 or "
            + "float32 with torch's rounding (nearest even). Integer and bool tensors are left alone.")
    String dtype;

    @Option(names = "--skip-unsupported", description = "Skip (and report) meta or sparse tensors instead of "
            + "refusing the file.")
    boolean skipUnsupported;

    @Option(names = "--max-expand", paramLabel = "X", defaultValue = "16", description = "Refuse an output more "
            + "than X times the tensor bytes the input stores; 0 for no limit. Default: ${DEFAULT-VALUE}.")
    double maxExpand;

    @Option(names = "-O", paramLabel = "KEY=VALUE", description = "A setting of the pth writer by key "
            + "(repeatable).")
    List<String> writerOptions = new ArrayList<>();

    @Option(names = {"-f", "--force"}, description = "Replace OUT if it exists (never IN).")
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

    /** Adds the pth writer's own flags (--keep-storages, ...). */
    static void configure(CommandSpec spec) {
        WriterFlags.addTo(spec, pthOnly());
    }

    private static Writers pthOnly() {
        return Writers.of(List.of(Writers.standard().byName(FORMAT)));
    }

    @Override
    public Integer call() throws Exception {
        refuseOverwritingInput();
        ConversionService service = ConversionService.standard();
        TensorWriter writer = service.writers().byName(FORMAT);
        ProgressBar bar = ProgressBar.create(spec.commandLine().getErr(), quiet || json);
        ConversionRequest request = ConversionRequest.of(in, out).withFormat(FORMAT)
                .withSelection(reader.select).withNames(reader.nameRules()).withRootName(reader.name)
                .withOptions(options(writer).withProgress(bar));
        ConversionResult result;
        try {
            result = service.convert(request);
        } finally {
            bar.close();
        }
        StripSummary summary = StripSummary.of(result, Files.size(in), Files.size(out));
        if (json) {
            spec.commandLine().getOut().println(summary.json(Summaries.json(result)));
            spec.commandLine().getOut().flush();
        } else if (!quiet) {
            spec.commandLine().getErr().println(summary.line());
            spec.commandLine().getErr().flush();
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
                WriterFlags.values(spec, pthOnly(), writer, writerOptions));
        return ConversionOptions.defaults().withCastTo(cast).withSkipUnsupported(skipUnsupported).withForce(force)
                .withMaxExpand(maxExpand).withWriteOptions(w);
    }
}
