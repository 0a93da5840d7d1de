package org.pthconvert.spark;

/** What happened to one input (the same three outcomes as {@code batch}). */
public enum Status {
    /** Converted (by this run). */
    OK,
    /** An output at least as new as the input was already there; nothing written. */
    SKIPPED,
    /** Not converted; the row's error says why in one line. */
    FAILED;

    /** As the report spells it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
