package org.pthconvert.model;

import java.nio.file.Path;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.torch.hooks.TorchHooks;

/**
 * {@link TorchHooks} for auditing a pickle that is not read for its tensors: a persistent id this
 * reader does not know (a tar checkpoint's storage key, a legacy {@code ('module', ...)} id, an id
 * in a header pickle) becomes an inert placeholder instead of stopping the audit, so that every
 * global and call after it is still seen.
 */
final class AuditHooks extends TorchHooks {
    private static final PGlobal PERSISTENT = new PGlobal("torch", "persistent_id");

    AuditHooks(Path file, String record, PickleLimits limits) {
        super(file, record, limits);
    }

    @Override
    public PickleValue persistentLoad(PickleValue pid, long offset) throws CheckpointException {
        try {
            return super.persistentLoad(pid, offset);
        } catch (CheckpointException e) {
            return new PSymbol(PERSISTENT, pid instanceof PTuple t ? t : new PTuple(java.util.List.of(pid)));
        }
    }
}
