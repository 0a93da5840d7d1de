package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.testdata.Fixtures;

class InspectAndScanTest {

    private static String fixture(String name) {
        return Fixtures.file(name).toString();
    }

    @Test
    void inspectShowsTheTrainingCheckpoint() {
        CliRun r = CliRun.of("inspect", fixture("train_sgd.ckpt"));
        assertEquals(0, r.code(), r.toString());
        for (String s : new String[] {"model", "optimizer", "momentum_buffer", "param_groups", "milestones",
                "gamma", "iteration: 9999", "parameters)", "Totals by section", "took the weights under 'model'"}) {
            assertTrue(r.out().contains(s), s + " missing from\n" + r.out());
        }
    }

    @Test
    void inspectShowsAWholeModelPickleAsModules() {
        CliRun r = CliRun.of("inspect", fixture("whole_model.pt"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("imports code: __main__.Net"), r.out());
        assertTrue(r.out().contains("Linear (torch.nn.modules.linear.Linear)"), r.out());
    }

    @Test
    void inspectJsonIsOneDocument() {
        CliRun r = CliRun.of("inspect", fixture("train_adam.pt"), "--json");
        assertEquals(0, r.code(), r.toString());
        String json = r.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}") && json.lines().count() == 1, json);
        assertTrue(json.contains("\"tree\":") && json.contains("\"exp_avg\""), json);
    }

    @Test
    void inspectRefusesWhatConvertRefuses() {
        CliRun r = CliRun.of("inspect", Fixtures.hostile("view_out_of_bounds.pth").toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
    }

    @Test
    void scanVerdictsAndExitCodes() {
        CliRun safe = CliRun.of("scan", fixture("sample.pth"));
        assertEquals(0, safe.code(), safe.toString());
        assertTrue(safe.out().contains("safe"), safe.out());
        CliRun imports = CliRun.of("scan", Fixtures.hostile("main_evil_class.pth").toString());
        assertEquals(3, imports.code(), imports.toString());
        assertTrue(imports.out().contains("imports code"), imports.out());
        CliRun allowed = CliRun.of("scan", "--allow-imports", Fixtures.hostile("main_evil_class.pth").toString());
        assertEquals(0, allowed.code(), allowed.toString());
        CliRun allowedDanger = CliRun.of("scan", "--allow-imports", Fixtures.hostile("os_system_p2.pth").toString());
        assertEquals(3, allowedDanger.code(), allowedDanger.toString());
        CliRun bad = CliRun.of("scan", fixture("sample.pth"), Fixtures.hostile("os_system_p4.pth").toString());
        assertEquals(3, bad.code(), bad.toString());
        assertTrue(bad.out().contains("dangerous") && bad.out().contains("system"), bad.out());
        CliRun broken = CliRun.of("scan", Fixtures.hostile("truncated_half.pth").toString());
        assertEquals(1, broken.code(), broken.toString());
        assertEquals(1, broken.errLines(), "one stderr line per unreadable file\n" + broken);
        CliRun brokenJson = CliRun.of("scan", "--json", Fixtures.hostile("truncated_half.pth").toString());
        assertTrue(brokenJson.out().contains("\"verdict\":\"unreadable\""), brokenJson.out());
        CliRun payloadFirst = CliRun.of("scan", Fixtures.hostile("payload_then_bad_opcode.pth").toString());
        assertEquals(3, payloadFirst.code(), payloadFirst.toString());
    }

    @Test
    void plainDataScansCleanAndEscapesStayEscaped() {
        for (String f : List.of("plain_bytes_empty.pth", "plain_bytes.pth", "plain_bytearray.pth", "plain_range.pth",
                "plain_set.pth", "plain_frozenset.pth", "plain_complex.pth", "plain_slice.pth", "plain_object.pth")) {
            CliRun r = CliRun.of("scan", fixture(f));
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains(": safe"), r.out());
        }
        CliRun ansi = CliRun.of("inspect", Fixtures.hostile("ansi_class_name.pth").toString());
        assertTrue(!ansi.out().contains("\u001b") && ansi.out().contains("\\x1b"), ansi.out());
    }

    @Test
    void helpReadsWell() {
        CliRun r = CliRun.of("convert", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--select") && r.out().contains("--raw-bits") && r.out().contains("Exit status"),
                r.out());
        assertEquals(0, CliRun.of("--help").code());
        assertEquals(2, CliRun.of().code());
    }
}
