package org.pthconvert.safety;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pickle referenced and would have done, gathered while reading it. Repeated references
 * to one global are counted once per action so that a file with a million tensors stays small.
 */
public final class Audit {
    private final Map<Key, AuditEntry> entries = new LinkedHashMap<>();
    private Verdict verdict = Verdict.SAFE;
    /** The pairs recorded last and before it, which are already in {@link #entries}. */
    private String lastAction;
    private String lastGlobal;
    private String previousAction;
    private String previousGlobal;

    /**
     * Equality written out: a record's generated equals/hashCode bootstrap method handles on first
     * use, two dozen classes spun on every run's start.
     */
    private record Key(String action, String global) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.action.equals(action) && k.global.equals(global);
        }

        @Override
        public int hashCode() { return 31 * action.hashCode() + global.hashCode(); }
    }

    public void record(String action, String global, long offset, Verdict v) {
        verdict = verdict.worst(v);
        // A checkpoint calls one rebuild function per tensor, and an OrderedDict for its hooks: the
        // last two distinct pairs are known without a look-up (or a key made per call).
        if (action.equals(lastAction) && global.equals(lastGlobal)
                || action.equals(previousAction) && global.equals(previousGlobal)) {
            return;
        }
        Key key = new Key(action, global);
        if (!entries.containsKey(key)) {
            entries.put(key, new AuditEntry(action, global, offset, v));
        }
        previousAction = lastAction;
        previousGlobal = lastGlobal;
        lastAction = action;
        lastGlobal = global;
    }

    /** Distinct entries in the order first met. */
    public List<AuditEntry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    public Verdict verdict() { return verdict; }

    /** The first entry with the given verdict, or null. */
    public AuditEntry first(Verdict v) {
        for (AuditEntry e : entries.values()) {
            if (e.verdict() == v) {
                return e;
            }
        }
        return null;
    }
}
