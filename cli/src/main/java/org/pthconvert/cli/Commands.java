package org.pthconvert.cli;

import java.io.PrintWriter;
import java.util.List;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Spec;

/**
 * Every subcommand, once: its name, the line {@code pthconvert --help} shows, its option table and how
 * it runs. Switches rather than a table of lambdas, so that naming one command loads only that command's
 * classes. A new command is an entry in {@link #ALL} and a case in {@link #spec} and {@link #run}.
 */
final class Commands {

    record Entry(String name, String summary) {
    }

    static final List<Entry> ALL = List.of(
            new Entry("convert", "Convert a checkpoint's tensors to another format."),
            new Entry("strip", "Keep only the model weights, as the weights-only .pth "
                    + "torch.load(weights_only=True) reads."),
            new Entry("batch", "Convert many checkpoints: resumable, in parallel."),
            new Entry("inspect", "Show what a checkpoint holds, before trusting it."),
            new Entry("scan", "Say whether files would run code under torch.load."));

    private Commands() {
    }

    static Entry find(String name) {
        for (Entry e : ALL) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    static String names() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : ALL) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.name());
        }
        return sb.toString();
    }

    /** The command's option table; {@code convert}, {@code strip} and {@code batch} load the writers. */
    static Spec spec(String name) {
        switch (name) {
            case "convert":
                return ConvertCommand.spec();
            case "strip":
                return StripCommand.spec();
            case "batch":
                return BatchCommand.spec();
            case "inspect":
                return InspectCommand.spec();
            case "scan":
                return ScanCommand.spec();
            default:
                throw new IllegalArgumentException("no command " + name);
        }
    }

    /** Runs a parsed command line; returns the exit status. */
    static int run(String name, Args args, PrintWriter out, PrintWriter err) throws Exception {
        switch (name) {
            case "convert":
                return new ConvertCommand(args, out, err).call();
            case "strip":
                return new StripCommand(args, out, err).call();
            case "batch":
                return new BatchCommand(args, out, err).call();
            case "inspect":
                return new InspectCommand(args, out).call();
            case "scan":
                return new ScanCommand(args, out, err).call();
            default:
                throw new IllegalArgumentException("no command " + name);
        }
    }
}
