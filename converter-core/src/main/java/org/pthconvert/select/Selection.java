package org.pthconvert.select;

import org.pthconvert.errors.InvalidRequestException;

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

    /**
     * {@code auto}, {@code all}, or a dotted path of non-empty keys.
     *
     * @throws InvalidRequestException for an empty or malformed path
     */
    static Selection parse(String text) {
        return switch (text) {
            case "auto" -> new Auto();
            case "all" -> new All();
            default -> {
                if (text.isEmpty() || text.startsWith(".") || text.endsWith(".") || text.contains("..")) {
                    throw new InvalidRequestException("a selection is auto, all or a dotted path such as "
                            + "'model' or 'optimizer.state', not '" + text + "'");
                }
                yield new SubTree(text);
            }
        };
    }
}
