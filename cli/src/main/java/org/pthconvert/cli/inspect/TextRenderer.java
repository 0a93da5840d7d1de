package org.pthconvert.cli.inspect;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Deque;

import org.pthconvert.cli.format.Sizes;


/** Draws a {@link Node} tree with box-drawing guides, one value per line. */
public final class TextRenderer {
    private final PrintWriter out;

    public TextRenderer(PrintWriter out) {
        this.out = out;
    }

    private record Item(Node node, String prefix, boolean last, boolean root) {
    }

    public void render(Node root) {
        Deque<Item> stack = new ArrayDeque<>();
        stack.push(new Item(root, "", true, true));
        while (!stack.isEmpty()) {
            Item it = stack.pop();
            Node n = it.node();
            String guide = it.root() ? "" : it.prefix() + (it.last() ? "└─ " : "├─ ");
            out.println(guide + Terminal.printable(describe(n, it.root())));
            String childPrefix = it.root() ? "" : it.prefix() + (it.last() ? "   " : "│  ");
            for (int i = n.children().size() - 1; i >= 0; i--) {
                stack.push(new Item(n.children().get(i), childPrefix, i == n.children().size() - 1, false));
            }
        }
    }

    static String describe(Node n, boolean root) {
        String head = root ? "" : n.key() + ": ";
        if (n.tensor() != null) {
            Node.TensorInfo t = n.tensor();
            StringBuilder sb = new StringBuilder(head).append(t.dtype()).append(' ').append(shape(t.shape()));
            sb.append("  ").append(t.bytes() < 0 ? "?" : Sizes.human(t.bytes()));
            if ("Parameter".equals(n.type())) {
                sb.append("  parameter");
            }
            if (!t.contiguous()) {
                sb.append("  strided view");
            }
            if (t.sharesWith() != null) {
                sb.append("  shares storage with ").append(t.sharesWith());
            }
            if (t.quantization() != null) {
                sb.append("  quantized ").append(t.quantization());
            }
            return sb.toString();
        }
        if (n.value() != null) {
            return head + n.value();
        }
        int k = n.children().size();
        String count = switch (n.type()) {
            case "dict", "OrderedDict" -> " (" + k + (k == 1 ? " key)" : " keys)");
            case "list", "tuple", "set", "frozenset" -> " (" + k + (k == 1 ? " item)" : " items)");
            default -> "";
        };
        return head + n.type() + count;
    }

    static String shape(long[] dims) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i > 0 ? ", " : "").append(dims[i]);
        }
        return sb.append(']').toString();
    }
}
