package org.pthconvert.cli.inspect;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code inspect}'s tree: a key, what the value is, and its children. Text and JSON
 * output both render this, so they always agree.
 *
 * @param key     the key, index or attribute leading here ("" for the root)
 * @param type    Python type name, or "tensor"/"parameter"/a module's class
 * @param value   inline text for scalars and short lists, else null
 * @param tensor  tensor details, or null
 */
public record Node(String key, String type, String value, TensorInfo tensor, List<Node> children) {

    /** What inspect shows of a tensor. */
    public record TensorInfo(String dtype, long[] shape, long bytes, String storage, long offset,
                             boolean contiguous, String sharesWith, String quantization) {
    }

    public static Node leaf(String key, String type, String value) {
        return new Node(key, type, value, null, new ArrayList<>());
    }
}
