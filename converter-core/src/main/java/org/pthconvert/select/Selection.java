package org.pthconvert.select;

/**
 * Which tensors of a checkpoint to take. {@code auto} finds the model weights; {@code all} takes
 * every tensor (optimizer state included); a path takes one sub-tree.
 */
public sealed interface Selection {
    record Auto() implements Selection {
    }

    record All() implements Selection {
    }

    /** A dotted path such as {@code model} or {@code optimizer.state}. */
    record SubTree(String path) implements Selection {
    }

    static Selection parse(String text) {
        return switch (text) {
            case "auto" -> new Auto();
            case "all" -> new All();
            default -> new SubTree(text);
        };
    }
}
