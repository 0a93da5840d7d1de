package org.pthconvert.cli.inspect;

import java.util.ArrayDeque;
import java.util.Deque;

import org.pthconvert.cli.format.Json;


/** Writes a {@link Node} tree as JSON, iteratively, for {@code inspect --json}. */
public final class JsonRenderer {
    private JsonRenderer() {
    }

    /** Marks the end of a node's children on the work stack. */
    private record Close() {
    }

    public static void render(Node root, Json json) {
        Deque<Object> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Object top = stack.pop();
            if (top instanceof Close) {
                json.endArray().endObject();
                continue;
            }
            Node n = (Node) top;
            json.beginObject();
            json.field("key", n.key()).field("type", n.type());
            if (n.value() != null) {
                json.field("value", n.value());
            }
            if (n.tensor() != null) {
                Node.TensorInfo t = n.tensor();
                json.field("dtype", t.dtype());
                json.name("shape").beginArray();
                for (long d : t.shape()) {
                    json.number(d);
                }
                json.endArray();
                json.field("bytes", t.bytes()).field("storage", t.storage()).field("storage_offset", t.offset())
                        .field("contiguous", t.contiguous());
                if (t.sharesWith() != null) {
                    json.field("shares_storage_with", t.sharesWith());
                }
                if (t.quantization() != null) {
                    json.field("quantization", t.quantization());
                }
            }
            if (n.children().isEmpty()) {
                json.endObject();
                continue;
            }
            json.name("children").beginArray();
            stack.push(new Close());
            for (int i = n.children().size() - 1; i >= 0; i--) {
                stack.push(n.children().get(i));
            }
        }
    }
}
