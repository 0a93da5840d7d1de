package org.pthconvert.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.cli.args.Positional;
import org.pthconvert.cli.args.Spec;
import org.pthconvert.cli.format.Decimals;
import org.pthconvert.cli.format.Sizes;

import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.select.Selection;
import org.pthconvert.writers.ConversionOptions;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.Writers;
import org.pthconvert.writers.batch.BatchOutcome;
import org.pthconvert.writers.batch.BatchPlan;
import org.pthconvert.writers.batch.BatchRunner;
import org.pthconvert.writers.batch.BatchSummary;
import org.pthconvert.writers.batch.InputScanner;
import org.pthconvert.writers.batch.JsonlReport;
import org.pthconvert.writers.batch.OutDirLock;
import org.pthconvert.writers.batch.OutputNames;
import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionService;


/**
 * {@code pthconvert batch --to FORMAT --out-dir DIR INPUT...}: many conversions in one JVM, resumable,
 * in parallel; a thin shell over {@link BatchRunner}.
 */
public final class BatchCommand {

    static final String NAME = "pthconvert batch";

    private final Args args;
    private final List<String> inputs;
    private final String to;
    private final Path outDir;
    private final String pattern;
    private final Integer jobs;
    private final boolean failFast;
    private final Path report;
    private final boolean followLinks;
    private final ReaderOptions reader;
    private final ConvertCommand.ConvertOptions convert;
    private final PrintWriter out;
    private final PrintWriter err;

    BatchCommand(Args args, PrintWriter out, PrintWriter err) {
        this.args = args;
        List<String> in = new ArrayList<>();
        for (Object o : args.positionals()) {
            in.add((String) o);
        }
        inputs = in;
        to = args.string("--to");
        outDir = args.path("--out-dir");
        pattern = args.string("--pattern");
        jobs = args.integer("--jobs");
        failFast = args.flag("--fail-fast");
        report = args.path("--report");
        followLinks = args.flag("--follow-links");
        reader = new ReaderOptions(args);
        convert = new ConvertCommand.ConvertOptions(args);
        this.out = out;
        this.err = err;
    }

    /** The table: the installed formats in the description, every writer's own flags among the options. */
    static Spec spec() {
        Writers writers = Writers.standard();
        List<Opt> options = new ArrayList<>(List.of(
                Opt.value("--to", "FORMAT", "Output format: one of the formats listed above.").asRequired(),
                Opt.value("--out-dir", "DIR", "Where outputs go (created if missing); a folder's inputs keep their "
                        + "sub-folders.").typed(Opt.Type.PATH).asRequired(),
                Opt.value("--pattern", "GLOBS", "File names to take from folders, comma-separated (case ignored). "
                        + "Default: *.pth,*.pt,*.bin,*.ckpt.").withDefault("*.pth,*.pt,*.bin,*.ckpt"),
                Opt.value("--jobs", "N", "Files converted at once (default: the number of cores); largest first.")
                        .shortName("-j").typed(Opt.Type.INT),
                Opt.flag("--fail-fast", "Start nothing more after the first failure."),
                Opt.value("--report", "FILE.jsonl", "Write one JSON object per input, as each finishes: input, "
                        + "output, status (ok, skipped, failed), error, tensors, bytes, seconds, selection, rules.")
                        .typed(Opt.Type.PATH),
                Opt.flag("--follow-links", "Follow symbolic links inside input folders, also out of them.")));
        options.addAll(ReaderOptions.OPTIONS);
        options.addAll(ConvertCommand.ConvertOptions.OPTIONS);
        options.addAll(CommonOptions.OPTIONS);
        options.addAll(WriterFlags.options(writers));
        return new Spec(NAME, WriterFlags.describe(writers, "Convert many checkpoints with one command: every "
                + "file, every folder searched recursively for --pattern, every path listed in @list.txt (one a "
                + "line, # comments, relative paths from the current folder). A folder's files keep their "
                + "sub-folders under --out-dir (zoo/resnet/a.pth -> DIR/resnet/a.safetensors); a file named "
                + "directly goes to DIR/a.safetensors; with --max-shard-size each input gets a folder "
                + "(DIR/resnet/a/). Every convert option applies to every file."), options,
                List.of(Positional.some("INPUT", Opt.Type.TEXT, "A checkpoint, a folder (searched recursively) or "
                        + "@list.txt.")),
                List.of(), List.of("", "Outputs newer than their input are skipped (--force redoes them); outputs "
                        + "appear atomically, so an interrupted batch is finished by running the same command "
                        + "again. A bad file is reported (one line, as convert says it) and the others continue.",
                        "", "Examples:",
                        "  pthconvert batch --to safetensors --out-dir st/ zoo/",
                        "  pthconvert batch --to npz --out-dir out/ @models.txt --jobs 4 --report out/report.jsonl",
                        "With --json, one JSON object per input on stdout (the --report line).",
                        "", "Exit status: 0 every input converted or up to date, 1 some input failed, 2 usage error "
                                + "(nothing converted), 70 internal error."));
    }

    int call() throws Exception {
        ConversionService service = ConversionService.standard();
        TensorWriter writer = service.writers().byName(to);
        ConversionOptions options = convert.options(args, writer);
        writer.checkOptions(options.writeOptions()).ifPresent(why -> {
            throw new InvalidRequestException(writer.name() + ": " + why);
        });
        Selection.parse(reader.select);
        ConversionRequest template = ConversionRequest.of(Path.of("."), Path.of(".")).withFormat(writer.name())
                .withSelection(reader.select).withNames(reader.nameRules()).withRootName(reader.name)
                .withOptions(options);
        int n = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
        if (n < 1) {
            throw new InvalidRequestException("--jobs takes a number >= 1, not " + n);
        }
        InputScanner.Scan scan = new InputScanner(OutputNames.parsePatterns(pattern), followLinks, outDir)
                .scan(inputs);
        if (!convert.quiet) {
            scan.ignored().forEach(line -> err.println("pthconvert: note: " + Reporter.oneLine(line)));
        }
        if (scan.inputs().isEmpty()) {
            throw new InvalidRequestException("no input files: nothing in " + String.join(", ", inputs)
                    + " matches " + pattern);
        }
        BatchPlan plan = BatchPlan.of(scan.inputs(), outDir, writer.extensions().get(0),
                writer.writesDirectory(options.writeOptions()), options.force());
        BatchProgressLine line = BatchProgressLine.create(err, convert.quiet, plan);
        try (OutDirLock lock = OutDirLock.acquire(outDir);
             Writer reportFile = report == null ? null : Files.newBufferedWriter(report, StandardCharsets.UTF_8)) {
            JsonlReport jsonl = reportFile == null ? null : new JsonlReport(reportFile, reader.select, Reporter::line);
            BatchRunner.Listener listener = new BatchRunner.Listener() {
                @Override
                public void finished(BatchOutcome o) {
                    if (jsonl != null) {
                        jsonl.finished(o);
                    }
                    if (convert.json) {
                        out.println(JsonlReport.line(o, reader.select, Reporter::line));
                        out.flush();
                    }
                    if (o.status() == BatchOutcome.Status.FAILED) {
                        line.clear();
                        err.println("pthconvert: " + Reporter.line(o.failure()));
                        err.flush();
                    }
                    line.finished(o);
                }

                @Override
                public void bytes(long count) {
                    line.bytes(count);
                }
            };
            BatchRunner runner = new BatchRunner(service, template, n, failFast, true, listener);
            // Ctrl-C: stop the workers first, so files cut short are not reported as failures.
            Thread onExit = new Thread(runner::cancel, "pthconvert-batch-cancel");
            Runtime.getRuntime().addShutdownHook(onExit);
            BatchSummary summary;
            try {
                summary = runner.run(plan);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or ran: nothing to undo
                }
            }
            line.clear();
            if (!convert.quiet) {
                err.println(summaryLine(summary));
                err.flush();
            }
            return summary.success() ? ExitCode.OK : ExitCode.BAD_INPUT;
        } catch (IOException e) {
            line.clear();
            throw e;
        }
    }

    /** {@code 118 converted, 3 skipped, 2 failed in 41 s, 23.4 GiB}. */
    static String summaryLine(BatchSummary s) {
        String secs = Decimals.fixed(s.seconds(), s.seconds() >= 10 ? 0 : 1) + " s";
        String line = s.converted() + " converted, " + s.skipped() + " skipped, " + s.failed() + " failed in " + secs
                + ", " + Sizes.human(s.bytes());
        if (s.notRun() > 0) {
            line += "; " + s.notRun() + " not run (" + (s.cancelled() ? "cancelled" : "stopped at the first failure")
                    + "; run the same command again to finish)";
        }
        return line;
    }
}
