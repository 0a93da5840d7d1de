package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;
import org.pthconvert.testdata.Fixtures.HostileRow;
import org.pthconvert.testdata.Fixtures;

/**
 * The hostile corpus ({@code testdata/hostile/expected.tsv}) and the regression files kept from
 * fuzzing ({@code testdata/hostile/regressions/expected.tsv}): one test per row.
 *
 * <ul>
 *   <li>{@code dangerous}: {@link Checkpoint#open} refuses with {@link Reason#DANGEROUS}, one line that
 *       names the global (the keyword) and the byte offset ({@code @0x...}); the scan says dangerous;</li>
 *   <li>{@code imports}: the file opens, its audit and its scan say it imports code, naming the class;</li>
 *   <li>{@code invalid}: {@link Checkpoint#open} refuses with {@link Reason#INVALID} or {@link Reason#LIMIT}
 *       and the keyword; the scan reports the file unreadable and not dangerous.</li>
 * </ul>
 * Every case runs under a timeout, must not let any Error other than an assertion escape (an
 * OutOfMemoryError or StackOverflowError is a failure of the reader, not of the test), and must leave
 * no marker file {@code /tmp/pthconvert-pwned-*} behind.
 */
class HostileCorpusTest {
    /** Against a hang only: every case takes well under a second on an idle machine. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path TMP = Path.of("/tmp");
    private static final String MARKER_PREFIX = "pthconvert-pwned-";

    @TestFactory
    Stream<DynamicTest> hostileCorpus() {
        return tests(Fixtures.hostileExpected());
    }

    @TestFactory
    Stream<DynamicTest> fuzzRegressions() {
        return tests(Fixtures.hostileRegressions());
    }

    private static Stream<DynamicTest> tests(List<HostileRow> rows) {
        List<DynamicTest> out = new ArrayList<>();
        for (HostileRow row : rows) {
            out.add(DynamicTest.dynamicTest(row.file() + " -> " + row.expect().name().toLowerCase() + " '"
                    + row.keyword() + "'", row.path().toUri(), () -> guarded(row)));
        }
        return out.stream();
    }

    private static void guarded(HostileRow row) throws Exception {
        assertTrue(Files.exists(row.path()), "missing hostile file " + row.path());
        Set<String> before = markers();
        assertFalse(Files.exists(row.marker()), "marker " + row.marker() + " exists before the test");
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try {
                check(row);
            } catch (AssertionError | CheckpointException e) {
                throw e;
            } catch (Throwable t) { // OutOfMemoryError, StackOverflowError, RuntimeException: a reader bug
                throw new AssertionError(row.file() + ": the reader crashed with " + t, t);
            }
        }, row.file() + " took longer than " + TIMEOUT);
        Set<String> after = markers();
        after.removeAll(before);
        assertTrue(after.isEmpty(), row.file() + ": a payload ran and created " + after);
        assertFalse(Files.exists(row.marker()), row.file() + ": a payload ran and created " + row.marker());
    }

    private static void check(HostileRow row) throws Exception {
        switch (row.expect()) {
            case DANGEROUS -> dangerous(row);
            case IMPORTS -> imports(row);
            case INVALID -> invalid(row);
            default -> fail("unknown expectation " + row.expect());
        }
    }

    private static void dangerous(HostileRow row) {
        CheckpointException e = refused(row);
        String msg = e.getMessage();
        assertEquals(Reason.DANGEROUS, e.reason(), row.file() + ": reason of: " + msg);
        assertTrue(row.matches(msg), row.file() + ": the error does not name '" + row.keyword() + "': " + msg);
        assertTrue(msg.contains("@0x"), row.file() + ": the error gives no byte offset: " + msg);
        assertFalse(msg.contains("\n"), row.file() + ": the error is not one line: " + msg);
        ScanReport scan = Scanner.scan(row.path());
        assertEquals(Verdict.DANGEROUS, scan.verdict(), row.file() + ": scan verdict");
        assertTrue(scan.entries().stream().anyMatch(en -> en.verdict() == Verdict.DANGEROUS
                        && row.matches(en.global())),
                row.file() + ": the scan lists no dangerous entry naming '" + row.keyword() + "': " + scan.entries());
    }

    private static void imports(HostileRow row) throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(row.path())) {
            assertEquals(Verdict.IMPORTS_CODE, ckpt.audit().verdict(), row.file() + ": audit verdict");
            assertTrue(ckpt.audit().entries().stream().anyMatch(en -> row.matches(en.global())
                    && en.verdict() == Verdict.IMPORTS_CODE), row.file() + ": audit names no '" + row.keyword() + "'");
            for (TensorEntry t : ckpt.tensors()) {
                ckpt.source(t.view()).forEachChunk(chunk -> { });
            }
        }
        ScanReport scan = Scanner.scan(row.path());
        assertEquals(Verdict.IMPORTS_CODE, scan.verdict(), row.file() + ": scan verdict");
        assertNull(scan.error(), row.file() + ": scan error");
        assertTrue(scan.entries().stream().map(AuditEntry::global).anyMatch(row::matches),
                row.file() + ": the scan lists no '" + row.keyword() + "': " + scan.entries());
    }

    private static void invalid(HostileRow row) {
        CheckpointException e = refused(row);
        String msg = e.getMessage();
        assertTrue(e.reason() == Reason.INVALID || e.reason() == Reason.LIMIT,
                row.file() + ": reason " + e.reason() + " of: " + msg);
        assertTrue(row.matches(msg), row.file() + ": the error lacks '" + row.keyword() + "': " + msg);
        assertFalse(msg.contains("\n"), row.file() + ": the error is not one line: " + msg);
        ScanReport scan = Scanner.scan(row.path());
        assertNotEquals(Verdict.DANGEROUS, scan.verdict(), row.file() + ": scan verdict");
        assertNotNull(scan.error(), row.file() + ": the scan does not report the file unreadable");
        assertTrue(scan.error().reason() == Reason.INVALID || scan.error().reason() == Reason.LIMIT,
                row.file() + ": scan error reason " + scan.error().reason() + ": " + scan.error().getMessage());
    }

    private static CheckpointException refused(HostileRow row) {
        return assertThrows(CheckpointException.class, () -> {
            try (Checkpoint ckpt = Checkpoint.open(row.path())) {
                // Opened: reading the bytes must fail instead (it never should get here for this corpus).
                for (TensorEntry t : ckpt.tensors()) {
                    ckpt.source(t.view()).forEachChunk(chunk -> { });
                }
            }
        }, row.file() + ": opened without error, expected " + row.expect());
    }

    private static Set<String> markers() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(TMP)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(MARKER_PREFIX)).forEach(out::add);
        }
        return out;
    }
}
