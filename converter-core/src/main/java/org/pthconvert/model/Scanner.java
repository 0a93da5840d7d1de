package org.pthconvert.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.inputs.AssembledInput;
import org.pthconvert.inputs.Inputs;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;

/**
 * Audits a file's pickles without refusing at the first dangerous call: every pickle torch.load
 * could unpickle from it (every {@code *.pkl} record of a zip in any case, duplicates included;
 * every pickle of a legacy stream or tar file), every global and call recorded (calls are never
 * made) so that {@code scan} can list them all. A file that is not
 * dangerous is then opened as {@link Checkpoint#open} would (storage sizes, view bounds, limits; no
 * tensor data is read), so that the report also says whether the file can be read at all.
 */
public final class Scanner {
    private Scanner() {
    }

    public static ScanReport scan(Path file) {
        return scan(file, PickleLimits.DEFAULTS);
    }

    /** {@link #scan(Path)} with the pickle limits {@code limits}, for every pickle and the validation. */
    public static ScanReport scan(Path file, PickleLimits limits) {
        List<AuditEntry> entries = new ArrayList<>();
        Verdict verdict = Verdict.SAFE;
        CheckpointException error = null;
        try (CheckpointContainer container = Inputs.open(file, Checkpoint.shards(limits))) {
            PickleAudits.Result audit = PickleAudits.audit(file, container.pickles(), limits);
            entries.addAll(audit.entries());
            verdict = audit.verdict();
            if (container instanceof AssembledInput assembled) {
                // Folders and safetensors (issue 16): their pickles were audited while opening them.
                entries.addAll(assembled.audit().entries());
                verdict = verdict.worst(assembled.audit().verdict());
            }
            CheckpointException deferred = container.deferredRefusal();
            error = deferred != null && verdict != Verdict.DANGEROUS ? deferred.inFile(file) : audit.error();
        } catch (CheckpointException e) {
            error = e.inFile(file);
        } catch (IOException e) {
            error = CheckpointIOException.unwrap(e, file);
        } catch (RuntimeException e) {
            error = CheckpointException.of(Reason.INVALID, "malformed file (" + e + ")").inFile(file).causedBy(e);
        }
        if (error != null && error.reason() == Reason.DANGEROUS) {
            verdict = Verdict.DANGEROUS;
        }
        if (error == null && verdict != Verdict.DANGEROUS) {
            error = validate(file, limits);
        }
        return new ScanReport(file, verdict, entries, error);
    }

    /** What {@link Checkpoint#open} finds wrong with a file whose pickles were audited, or null. */
    private static CheckpointException validate(Path file, PickleLimits limits) {
        try {
            Checkpoint.open(file, limits).close();
            return null;
        } catch (CheckpointException e) {
            return e;
        } catch (IOException e) {
            return CheckpointIOException.unwrap(e, file);
        }
    }

}
