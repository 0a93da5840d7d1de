package org.pthconvert.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Help;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.cli.args.Parser;
import org.pthconvert.cli.args.Positional;
import org.pthconvert.cli.args.Spec;
import org.pthconvert.cli.args.UsageException;

/**
 * The {@code pthconvert} command: finds the subcommand, parses its table, runs it; one-line errors and
 * exit codes. {@code --version} and the top {@code --help} build no command table at all, and a
 * subcommand builds only its own.
 */
public final class Main {

    static final String NAME = "pthconvert";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, false), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given streams; what tests and embedding programs call. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        int code;
        try {
            code = dispatch(args, out, err);
        } catch (UsageException e) {
            err.println("pthconvert: " + Reporter.oneLine(e.getMessage()));
            err.println("Try '" + e.command() + " --help' for more.");
            code = ExitCode.USAGE;
        } catch (Exception | VirtualMachineError e) {
            code = Reporter.fail(err, e, debug(args));
        }
        out.flush();
        err.flush();
        return code;
    }

    private static int dispatch(String[] args, PrintWriter out, PrintWriter err) throws Exception {
        if (args.length == 0) {
            throw new UsageException(UsageException.Reason.UNKNOWN_COMMAND, NAME, "missing command: "
                    + Commands.names());
        }
        String first = args[0];
        if (first.equals("--version") || first.equals("-V")) {
            out.println(version());
            return ExitCode.OK;
        }
        if (first.equals("--help") || first.equals("-h")) {
            out.print(Help.render(spec()));
            return ExitCode.OK;
        }
        Commands.Entry command = Commands.find(first);
        if (command == null) {
            if (first.startsWith("-")) {
                throw new UsageException(UsageException.Reason.UNKNOWN_OPTION, NAME, "Unknown option: '" + first
                        + "'");
            }
            throw new UsageException(UsageException.Reason.UNKNOWN_COMMAND, NAME, "Unknown command: '" + first
                    + "'; commands: " + Commands.names());
        }
        Spec spec = Commands.spec(command.name());
        Args parsed = Parser.parse(spec, args, 1);
        if (parsed.helpRequested()) {
            out.print(Help.render(spec));
            return ExitCode.OK;
        }
        if (parsed.versionRequested()) {
            out.println(version());
            return ExitCode.OK;
        }
        return Commands.run(command.name(), parsed, out, err);
    }

    /** The top command's help: the commands and their one-line summaries. */
    static Spec spec() {
        List<Spec.Sub> subs = new ArrayList<>();
        for (Commands.Entry e : Commands.ALL) {
            subs.add(new Spec.Sub(e.name(), e.summary()));
        }
        return new Spec(NAME, List.of("Read PyTorch checkpoints (.pth .pt .bin .ckpt) without Python and without "
                + "running any code from them; convert their tensors to other formats."), List.of(),
                List.of(new Positional("COMMAND", 0, 1, Opt.Type.TEXT,
                        List.of())),
                subs, List.of("", "Exit status: 0 success, 1 bad or refused input, 2 usage error, 3 (scan) a file "
                        + "would run code, 70 internal error."));
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return "pthconvert " + (v == null ? "dev" : v);
    }

    /** Before parsing (a usage error has no trace to show), the flag is looked for by its text. */
    private static boolean debug(String[] args) {
        for (String a : args) {
            if (a.equals(CommonOptions.DEBUG)) {
                return true;
            }
        }
        return false;
    }
}
