package org.pthconvert.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.archive.PickleStream;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.io.CheckpointIOException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.reader.Unpickler;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.Verdict;

/**
 * Audits pickles without reading anything from them: every global and call each one names is
 * recorded (nothing is imported or called), an error in one does not stop the others, and the
 * first dangerous one gives the refusal.
 */
final class PickleAudits {
    private PickleAudits() {
    }

    /**
     * What the audit found.
     *
     * @param entries every global and call, pickle by pickle
     * @param verdict the worst verdict of any entry
     * @param error   the first error that stopped reading a pickle (the audit of that pickle stops there), or null
     * @param refusal the refusal of the first dangerous pickle, or null
     */
    record Result(List<AuditEntry> entries, Verdict verdict, CheckpointException error,
                  CheckpointException refusal) {
    }

    static Result audit(Path file, List<PickleStream> pickles, PickleLimits limits) {
        List<AuditEntry> entries = new ArrayList<>();
        Verdict verdict = Verdict.SAFE;
        CheckpointException error = null;
        CheckpointException refusal = null;
        for (PickleStream p : pickles) {
            AuditHooks hooks = new AuditHooks(file, p.record(), limits);
            CheckpointException failed = null;
            try (InputStream in = p.open()) {
                new Unpickler(hooks, limits, p.record(), p.baseOffset()).load(in);
            } catch (CheckpointException e) {
                failed = e.inFile(file);
            } catch (CheckpointIOException e) {
                failed = e.problem().inFile(file);
            } catch (IOException e) {
                failed = CheckpointIOException.unwrap(e, file);
            } catch (RuntimeException e) {
                failed = CheckpointException.of(Reason.INVALID, "malformed pickle ("
                        + e + ")").inFile(file).at(p.record(), -1).causedBy(e);
            }
            entries.addAll(hooks.audit().entries());
            verdict = verdict.worst(hooks.audit().verdict());
            if (refusal == null) {
                refusal = hooks.refusal();
            }
            if (failed != null && failed.reason() == Reason.DANGEROUS && refusal == null) {
                refusal = failed;
            }
            if (error == null && failed != null) {
                error = failed;
            }
        }
        if (refusal != null) {
            verdict = Verdict.DANGEROUS;
        }
        return new Result(entries, verdict, error, refusal);
    }
}
