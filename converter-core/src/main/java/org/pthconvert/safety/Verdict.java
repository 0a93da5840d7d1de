package org.pthconvert.safety;

/** What loading a file with {@code torch.load} would do, from least to most worrying. */
public enum Verdict {
    /** Every global the pickle names is on the {@link Allowlist}: plain data and torch's rebuild machinery. */
    SAFE("safe"),
    /**
     * Names a global off the allowlist (importing a module runs it), or reaches behaviour the reader
     * cannot see (a BUILD planting dunders or callables, APPEND/SETITEM on a class off the list).
     */
    IMPORTS_CODE("imports code"),
    /** Calls something off the allowlist, or names a callable that runs code: torch.load would run it. */
    DANGEROUS("dangerous");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public String label() { return label; }

    public Verdict worst(Verdict other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
