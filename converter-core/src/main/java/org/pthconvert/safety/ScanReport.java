package org.pthconvert.safety;

import java.nio.file.Path;
import java.util.List;

import org.pthconvert.errors.CheckpointException;

/**
 * What {@code scan} learned of one file: every global and call its pickles hold, the verdict, and
 * the error that stopped reading, if any. A file that is dangerous stays dangerous even when it is
 * also corrupt further on.
 */
public record ScanReport(Path file, Verdict verdict, List<AuditEntry> entries, CheckpointException error) {
    public ScanReport {
        entries = List.copyOf(entries);
    }

    public boolean unreadable() {
        return error != null;
    }
}
