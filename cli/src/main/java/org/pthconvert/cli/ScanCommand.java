package org.pthconvert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.pthconvert.cli.format.Json;
import org.pthconvert.model.Scanner;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pthconvert scan FILE...}: what each file would import and run under torch.load. */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Audit downloads before trusting them: list every global each file's pickle references and "
                + "every call it would make under torch.load, with a verdict per file:",
                "  safe          plain data and torch's own functions only",
                "  imports code  names classes outside torch (torch.load would import them)",
                "  dangerous     calls something else (torch.load would run it)",
                "Nothing is imported or run.", ""},
        footer = {"", "Exit status: 0 no file dangerous or unreadable, 3 some file dangerous, "
                + "1 some file unreadable, 2 usage error."})
public final class ScanCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Checkpoints to audit.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--json", description = "One JSON document for scripts.")
    boolean json;

    @Option(names = {"-a", "--all"}, description = "List safe references too, not only the worrying ones.")
    boolean all;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ScanReport> reports = new ArrayList<>();
        for (Path f : files) {
            reports.add(Scanner.scan(f));
        }
        if (json) {
            out.println(json(reports));
        } else {
            for (ScanReport r : reports) {
                text(out, r);
            }
        }
        out.flush();
        boolean dangerous = reports.stream().anyMatch(r -> r.verdict() == Verdict.DANGEROUS);
        boolean unreadable = reports.stream().anyMatch(ScanReport::unreadable);
        return dangerous ? ExitCode.DANGEROUS : unreadable ? ExitCode.BAD_INPUT : ExitCode.OK;
    }

    private void text(PrintWriter out, ScanReport r) {
        String status = r.verdict().label() + (r.unreadable() ? ", unreadable" : "");
        out.println(r.file() + ": " + status + " (" + r.entries().size() + " distinct references)");
        for (AuditEntry e : r.entries()) {
            if (all || e.verdict() != Verdict.SAFE) {
                out.printf("  %-6s %-50s @0x%x  %s%n", e.action(), e.global(), e.offset(), e.verdict().label());
            }
        }
        if (r.unreadable()) {
            out.println("  error: " + Reporter.oneLine(r.error().getMessage()));
        }
    }

    private static String json(List<ScanReport> reports) {
        Json j = new Json().beginArray();
        for (ScanReport r : reports) {
            j.beginObject().field("file", r.file().toString()).field("verdict", r.verdict().label());
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
