package org.pthconvert.cli;

import java.io.PrintWriter;
import java.util.Arrays;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pthconvert} command: subcommands, one-line errors, exit codes. */
@Command(name = "pthconvert", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Read PyTorch checkpoints (.pth .pt .bin .ckpt) without Python and without running any "
                + "code from them; convert their tensors to other formats.", ""},
        footer = {"", "Exit status: 0 success, 1 bad or refused input, 2 usage error, 3 (scan) a file would run code,"
                + " 70 internal error."})
public final class Main implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: " + Commands.names());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, false), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given streams; what tests and embedding programs call. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        int code;
        try {
            code = cl.execute(args);
        } catch (VirtualMachineError e) {
            // picocli hands only Exceptions to the handler; an Error still gets its one line here.
            code = Reporter.fail(err, e, Arrays.asList(args).contains("--debug"));
        }
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine(String[] args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cl = root(args);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) ->
                Reporter.fail(commandLine.getErr(), e, debug));
        cl.setParameterExceptionHandler((e, args1) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("pthconvert: " + Reporter.oneLine(e.getMessage()));
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
            err.flush();
            return ExitCode.USAGE;
        });
        cl.setExitCodeExceptionMapper(t -> ExitCode.BAD_INPUT);
        return cl;
    }

    /**
     * The command tree. Picocli builds a command's model by reflection, which costs a tenth of a second
     * per large command at start-up: when the first argument names a subcommand, only that one is
     * built (under the top command, so help and errors read the same).
     */
    private static CommandLine root(String[] args) {
        Commands.Entry only = args.length == 0 ? null : Commands.find(args[0]);
        if (only == null) {
            CommandLine top = new CommandLine(new Main());
            for (Commands.Entry e : Commands.ALL) {
                add(top, e);
            }
            return top;
        }
        CommandLine top = new CommandLine(new Lean());
        add(top, only);
        return top;
    }

    private static void add(CommandLine top, Commands.Entry e) {
        CommandLine sub = new CommandLine(e.factory().get());
        e.configure().accept(sub.getCommandSpec());
        if (sub.getCommandSpec().usageMessage().description().length == 0) {
            sub.getCommandSpec().usageMessage().description(e.summary());
        }
        top.addSubcommand(e.name(), sub);
    }

    /** The top command without its eager subcommand list; see {@link #root}. */
    @Command(name = "pthconvert", mixinStandardHelpOptions = true, versionProvider = Main.Version.class)
    static final class Lean implements Runnable {
        @Override
        public void run() {
            // Never runs: the first argument was a subcommand.
        }
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pthconvert " + (v == null ? "dev" : v)};
        }
    }
}
