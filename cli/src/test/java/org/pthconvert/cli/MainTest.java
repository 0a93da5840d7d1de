package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The top command: help and version everywhere, usage errors in one shape, help that fits 80 columns. */
class MainTest {

    @Test
    void versionAndHelpOnTheTopCommandAndEverySubcommand() {
        CliRun v = CliRun.of("--version");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("pthconvert "), v.out());
        assertEquals(v.out(), CliRun.of("-V").out());
        CliRun top = CliRun.of("-h");
        assertEquals(CliRun.of("--help").out(), top.out());
        assertTrue(top.out().startsWith("Usage: pthconvert [-hV] [COMMAND]"), top.out());
        for (Commands.Entry e : Commands.ALL) {
            CliRun help = CliRun.of(e.name(), "--help");
            assertEquals(0, help.code(), help.toString());
            assertEquals("", help.err());
            assertTrue(help.out().startsWith("Usage: pthconvert " + e.name() + " "), help.out());
            assertEquals(help.out(), CliRun.of(e.name(), "-h").out());
            assertTrue(help.out().contains("--debug") && help.out().contains("-V, --version"), help.out());
            for (String line : help.out().lines().toList()) {
                assertTrue(line.codePointCount(0, line.length()) <= 80, e.name() + ": too long: " + line);
            }
            assertEquals(v.out(), CliRun.of(e.name(), "--version").out());
            assertEquals(v.out(), CliRun.of(e.name(), "-V").out());
        }
    }

    @Test
    void usageErrorsAreOneLineAndAPointerToHelp() {
        for (List<String> call : List.<List<String>>of(List.of(), List.of("frobnicate"), List.of("--nope"),
                List.of("convert", "--no-such-option", "a", "b"), List.of("inspect"), List.of("scan", "--json"),
                List.of("batch", "x"), List.of("strip", "a"), List.of("convert", "a", "b", "--max-expand", "many"))) {
            CliRun r = CliRun.of(call.toArray(String[]::new));
            assertEquals(2, r.code(), call + "\n" + r);
            List<String> lines = r.err().lines().toList();
            assertEquals(2, lines.size(), call + "\n" + r);
            assertTrue(lines.get(0).startsWith("pthconvert: "), r.toString());
            String command = call.isEmpty() || Commands.find(call.get(0)) == null ? "pthconvert"
                    : "pthconvert " + call.get(0);
            assertEquals("Try '" + command + " --help' for more.", lines.get(1));
            assertEquals("", r.out());
        }
        assertTrue(CliRun.of("frobnicate").err().contains("commands: convert, strip, batch, inspect, scan"));
    }
}
