package org.pthconvert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.cli.args.Positional;
import org.pthconvert.cli.args.Spec;
import org.pthconvert.cli.format.Columns;
import org.pthconvert.cli.format.Json;
import org.pthconvert.model.Scanner;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;

/** {@code pthconvert scan FILE...}: what each file would import and run under torch.load. */
public final class ScanCommand {

    static final String NAME = "pthconvert scan";

    private final List<Object> files;
    private final boolean json;
    private final boolean all;
    private final boolean allowImports;
    private final PrintWriter out;
    private final PrintWriter err;

    ScanCommand(Args args, PrintWriter out, PrintWriter err) {
        this.files = args.positionals();
        this.json = args.flag("--json");
        this.all = args.flag("--all");
        this.allowImports = args.flag("--allow-imports");
        this.out = out;
        this.err = err;
    }

    static Spec spec() {
        return new Spec(NAME, List.of("Audit downloads before trusting them: list every global each file's "
                + "pickle references and every call it would make under torch.load, with a verdict per file:",
                "  safe          plain data and torch's own functions only",
                "  imports code  names globals off the allowlist (torch.load would import their modules)",
                "  dangerous     calls or names something that runs code (torch.load would run it)",
                "  unreadable    not dangerous, but broken or refused as convert would refuse it",
                "Nothing is imported or run."),
                List.of(Opt.flag("--json", "One JSON document for scripts."),
                        Opt.flag("-a", "--all", "List safe references too, not only the worrying ones."),
                        Opt.flag("--allow-imports", "Exit 0 for files that only import code (zoos of whole-model "
                                + "pickles); dangerous files still exit 3."),
                        CommonOptions.OPTIONS.get(0)),
                List.of(Positional.some("FILE", Opt.Type.PATH, "Checkpoints to audit.")),
                List.of(), List.of("", "Exit status: 0 every file safe, 3 some file dangerous or importing code "
                        + "(with --allow-imports: dangerous only), 1 some file unreadable (and none of the above), "
                        + "2 usage error."));
    }

    int call() {
        List<ScanReport> reports = new ArrayList<>();
        for (Object f : files) {
            reports.add(Scanner.scan((Path) f));
        }
        if (json) {
            out.println(json(reports));
        } else {
            for (ScanReport r : reports) {
                text(out, r);
            }
        }
        out.flush();
        for (ScanReport r : reports) {
            if (r.unreadable()) {
                err.println("pthconvert: " + Reporter.oneLine(r.error().getMessage()));
            }
        }
        err.flush();
        boolean dangerous = false;
        boolean imports = false;
        boolean unreadable = false;
        for (ScanReport r : reports) {
            dangerous |= r.verdict() == Verdict.DANGEROUS;
            imports |= r.verdict() == Verdict.IMPORTS_CODE;
            unreadable |= r.unreadable();
        }
        if (dangerous || imports && !allowImports) {
            return ExitCode.DANGEROUS;
        }
        return unreadable ? ExitCode.BAD_INPUT : ExitCode.OK;
    }

    /**
     * The verdict a report shows: a dangerous call found stays dangerous however broken the file is;
     * otherwise an unreadable file is never called safe.
     */
    static String label(ScanReport r) {
        if (r.verdict() == Verdict.DANGEROUS || !r.unreadable()) {
            return r.verdict().label();
        }
        return "unreadable";
    }

    private void text(PrintWriter out, ScanReport r) {
        String status = !r.unreadable() ? label(r) : r.verdict() == Verdict.DANGEROUS ? "dangerous, unreadable"
                : "unreadable" + (r.verdict() == Verdict.SAFE ? "" : " (" + r.verdict().label() + ")");
        out.println(Reporter.printable(r.file().toString()) + ": " + status + " (" + r.entries().size()
                + " distinct references)");
        for (AuditEntry e : r.entries()) {
            if (all || e.verdict() != Verdict.SAFE) {
                // Padded by hand, not printf: a Formatter costs the command its regular expressions and
                // locale data (README, "Start-up").
                out.println("  " + Columns.pad(e.action(), 6) + " " + Columns.pad(Reporter.printable(e.global()), 50)
                        + " @0x" + Long.toHexString(e.offset()) + "  " + e.verdict().label());
            }
        }
        if (r.unreadable()) {
            out.println("  error: " + Reporter.oneLine(r.error().getMessage()));
        }
    }

    private static String json(List<ScanReport> reports) {
        Json j = new Json().beginArray();
        for (ScanReport r : reports) {
            j.beginObject().field("file", r.file().toString()).field("verdict", label(r))
                    .field("pickle_verdict", r.verdict().label());
            j.name("error").string(r.unreadable() ? r.error().getMessage() : null);
            j.name("references").beginArray();
            for (AuditEntry e : r.entries()) {
                j.beginObject().field("action", e.action()).field("global", e.global()).field("offset", e.offset())
                        .field("verdict", e.verdict().label()).endObject();
            }
            j.endArray().endObject();
        }
        return j.endArray().toString();
    }
}
