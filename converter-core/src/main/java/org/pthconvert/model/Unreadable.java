package org.pthconvert.model;

import java.util.List;

/**
 * Something in the checkpoint that looks like a tensor but has no bytes this tool can produce
 * exactly (a meta tensor, a sparse or nested tensor). Refused by name, or skipped and reported
 * with {@code --skip-unsupported}.
 */
public record Unreadable(List<String> path, String reason) {
    public Unreadable {
        path = List.copyOf(path);
    }

    public String name() {
        return String.join(".", path);
    }
}
