package org.pthconvert.safety;

/** What loading a file with {@code torch.load} would do, from least to most worrying. */
public enum Verdict {
    /** Plain data and torch's own rebuild functions only. */
    SAFE("safe"),
    /** Names classes outside torch and the standard data types: torch.load would import their code. */
    IMPORTS_CODE("imports code"),
    /** Calls a function outside the allowlist: torch.load would run it. */
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
