package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.writers.Writers;

/** Exit codes for bugs vs usage, writer options, the registry, bare tensors. */
class CliSeamsTest {

    @TempDir
    Path dir;

    @Test
    void aBugExitsSeventyAndAUsageErrorTwo() {
        StringWriter err = new StringWriter();
        assertEquals(70, Reporter.fail(new PrintWriter(err), new IllegalArgumentException("a library bug"), false));
        assertTrue(err.toString().startsWith("pthconvert: internal error: "), err.toString());
        assertEquals(1, err.toString().strip().lines().count());
        StringWriter err2 = new StringWriter();
        assertEquals(2, Reporter.fail(new PrintWriter(err2), new InvalidRequestException("--x takes y"), false));
        assertEquals("pthconvert: --x takes y", err2.toString().strip());
    }

    @Test
    void unknownWriterOptionsAreUsageErrorsBeforeAnyWork() {
        Path out = dir.resolve("o.safetensors");
        CliRun r = CliRun.of("convert", Fixtures.file("sample.pth").toString(), out.toString(), "-O", "npz.nope=1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("the safetensors writer takes"), r.toString());
        assertFalse(Files.exists(out));
        r = CliRun.of("convert", Fixtures.file("sample.pth").toString(), out.toString(), "--max-shard-size", "lots");
        assertEquals(2, r.code(), r.toString());
        r = CliRun.of("convert", Fixtures.file("sample.pth").toString(), out.toString(), "--select", "");
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
    }

    @Test
    void helpListsEveryInstalledWriterAndEveryCommand() {
        CliRun r = CliRun.of("convert", "--help");
        assertEquals(0, r.code());
        for (var w : Writers.standard().all()) {
            assertTrue(r.out().contains(w.name() + " ("), w.name() + " missing from\n" + r.out());
        }
        CliRun top = CliRun.of("--help");
        for (Commands.Entry e : Commands.ALL) {
            assertTrue(top.out().contains(e.name()), e.name() + " missing from\n" + top.out());
        }
    }

    @Test
    void aBareTensorConvertsUnderItsFileStem() throws Exception {
        Path out = dir.resolve("t.npz");
        CliRun r = CliRun.of("convert", Fixtures.file("bare_tensor.pt").toString(), out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("one bare tensor, named 'bare_tensor'"), r.toString());
        Path named = dir.resolve("u.npz");
        assertEquals(0, CliRun.of("convert", Fixtures.file("bare_tensor.pt").toString(), named.toString(),
                "--name", "w", "-q").code());
        try (var z = new java.util.zip.ZipFile(named.toFile())) {
            assertTrue(z.getEntry("w.npy") != null);
        }
    }

    @Test
    void progressCountsUpToItsTotal() throws Exception {
        System.setProperty("pthconvert.stderr.tty", "0");
        ProgressBar bar = ProgressBar.create(new PrintWriter(new StringWriter()), false);
        bar.start(100);
        bar.advance(60);
        bar.advance(40);
        assertEquals(bar.total(), bar.done());
    }
}
