package org.pthconvert.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.Containers;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.inputs.AssembledInput;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.Unpickler;
import org.pthconvert.safety.Audit;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;

/**
 * Audits a file's pickles without refusing at the first dangerous call: every global and call is
 * recorded (calls are never made) so that {@code scan} can list them all. A file that is not
 * dangerous is then opened as {@link Checkpoint#open} would (storage sizes, view bounds, limits; no
 * tensor data is read), so that the report also says whether the file can be read at all.
 */
public final class Scanner {
    private Scanner() {
    }

    public static ScanReport scan(Path file) {
        List<AuditEntry> entries = new ArrayList<>();
        Verdict verdict = Verdict.SAFE;
        CheckpointException error = null;
        try (CheckpointContainer container = Containers.open(file)) {
            if (container instanceof AssembledInput assembled) {
                // Folders and safetensors (issue 16): their pickles were audited while opening them.
                entries.addAll(assembled.audit().entries());
                verdict = verdict.worst(assembled.audit().verdict());
            }
            for (String record : container instanceof AssembledInput ? List.<String>of() : pickleRecords(container)) {
                TorchHooks hooks = new TorchHooks(file, record);
                try (InputStream in = record.equals(container.pickleRecordName()) ? container.openPickle()
                        : container.openRecord(record)) {
                    long base = record.equals(container.pickleRecordName()) ? container.pickleOffset() : 0;
                    new Unpickler(hooks, PickleLimits.DEFAULTS, record, base).load(in);
                } catch (CheckpointException e) {
                    if (error == null) {
                        error = e.inFile(file);
                    }
                } finally {
                    Audit audit = hooks.audit();
                    entries.addAll(audit.entries());
                    verdict = verdict.worst(audit.verdict());
                }
            }
        } catch (CheckpointException e) {
            error = e.inFile(file);
        } catch (IOException e) {
            error = CheckpointIOException.unwrap(e, file);
        } catch (RuntimeException e) {
            error = new CheckpointException(Reason.INVALID, file, null, -1, null, "malformed file (" + e + ")", e);
        }
        if (error != null && error.reason() == Reason.DANGEROUS) {
            verdict = Verdict.DANGEROUS; // refused before its pickle could be audited (a legacy header pickle)
        }
        if (error == null && verdict != Verdict.DANGEROUS) {
            error = validate(file);
        }
        return new ScanReport(file, verdict, entries, error);
    }

    /** What {@link Checkpoint#open} finds wrong with a file whose pickles were audited, or null. */
    private static CheckpointException validate(Path file) {
        try {
            Checkpoint.open(file).close();
            return null;
        } catch (CheckpointException e) {
            return e;
        } catch (IOException e) {
            return CheckpointIOException.unwrap(e, file);
        }
    }

    /** The main pickle first, then any other pickle records (TorchScript's constants.pkl). */
    private static List<String> pickleRecords(CheckpointContainer c) {
        List<String> out = new ArrayList<>();
        out.add(c.pickleRecordName());
        if (c.format() != CheckpointContainer.Format.LEGACY) {
            for (String r : c.recordNames()) {
                if (r.endsWith(".pkl") && !r.endsWith("debug_pkl") && !c.pickleRecordName().endsWith("/" + r)
                        && !c.pickleRecordName().equals(r)) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
