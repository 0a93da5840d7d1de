package org.pthconvert.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
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

/** {@code pthconvert strip IN OUT.pth}: a training checkpoint becomes the weights-only file deployment loads. */
@Command(name = "strip", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write only the model weights of a checkpoint as a weights-only .pth, exactly as "
                + "torch.save(model.state_dict()) writes it: torch.load(OUT, weights_only=True) gives the same "
                + "tensors bit for bit, and load_state_dict accepts them. Optimizer state, schedulers, counters "
                + "and anything else are left out; tied weights stay tied; module versions (_metadata) are kept.",
                ""},
        footer = {"", "Examples:",
                "  pthconvert strip train.ckpt model.pth",
                "  pthconvert strip ddp_checkpoint.pt model.pth --dtype bfloat16",
                "", "Exit status: 0 written, 1 bad, refused or unsupported input, 2 usage error."})
public final class StripCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "The checkpoint (.pth .pt .bin .ckpt).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The weights-only file to write (.pth, .pt).")
    Path out;

    @Mixin
    ReaderOptions reader;

    @Option(names = "--dtype", paramLabel = "TYPE", description = "Cast floating tensors to float16, bfloat16 or "
            + "float32 with torch's rounding (nearest even).")
    String dtype;

    @Option(names = "--skip-unsupported", description = "Skip (and report) meta or sparse tensors instead of "
            + "refusing the file.")
    boolean skipUnsupported;

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

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        TensorWriter writer = Writers.standard().byName("pth");
        refuseOverwritingInput();
        ConversionOptions options = options();
        try (Checkpoint ckpt = Checkpoint.open(in)) {
            Selected selected = reader.nameRules().apply(WeightSelector.select(ckpt, reader.selection()));
            if (selected.tensors().isEmpty()) {
                throw new CheckpointException(Reason.INVALID, in, null, -1, null,
                        "the selection is empty after the name rules: nothing to strip", null);
            }
            long total = selected.tensors().stream().mapToLong(t -> t.source().view().byteLength()).sum();
            LongConsumer bar = ProgressBar.create(err, total, quiet || json);
            Conversion.Report report;
            try {
                report = Conversion.run(ckpt, selected, writer, out, options.withProgress(bar));
            } finally {
                ProgressBar.finish(bar);
            }
            StripSummary s = StripSummary.of(ckpt, selected, report.tensors(), Files.size(in), Files.size(out));
            print(s, report);
            return ExitCode.OK;
        } catch (CheckpointException e) {
            throw e.inFile(in);
        }
    }

    /** Even with --force: the input is what the user wants to keep. */
    private void refuseOverwritingInput() throws java.io.IOException {
        boolean same = Files.exists(out) ? Files.isSameFile(in, out)
                : in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize());
        if (same) {
            throw new IllegalArgumentException("OUT is the input file " + in + "; strip never overwrites its input");
        }
    }

    private ConversionOptions options() {
        Dtype cast = null;
        if (dtype != null) {
            cast = Dtype.parseUserName(dtype).filter(d -> d == Dtype.F16 || d == Dtype.BF16 || d == Dtype.F32)
                    .orElseThrow(() -> new IllegalArgumentException("--dtype takes float16, bfloat16 or float32, not '"
                            + dtype + "'"));
        }
        return new ConversionOptions(cast, false, skipUnsupported, force, Map.of(),
                WriteOptions.DEFAULTS.withSync(sync));
    }

    private void print(StripSummary s, Conversion.Report r) {
        double secs = r.nanos() / 1e9;
        if (json) {
            Json j = new Json().beginObject().field("input", in.toString()).field("output", out.toString())
                    .field("format", "pth");
            s.json(j);
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
        String line = String.format(Locale.ROOT, "%s -> %s: %s in %.2f s", in, out, s.line(), secs);
        if (!r.notes().isEmpty()) {
            line += "; " + String.join("; ", r.notes());
        }
        err.println(line);
        err.flush();
    }
}
