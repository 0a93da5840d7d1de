package org.pthconvert.cli.inspect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.ModuleView;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.torch.PStorage;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.torch.PTensor;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.tensor.Quantization;
import org.pthconvert.tensor.TensorView;

/**
 * Turns a checkpoint's object tree into {@link Node}s: keys exactly as stored, scalars inline, short
 * lists in full and long ones summarised, pickled modules as their state_dict structure. Depth is
 * capped so a hostile nesting prints a marker instead of recursing on, and so is the number of
 * values shown ({@value #MAX_NODES}), so that shared containers cannot multiply the output.
 */
public final class TreeBuilder {
    static final int MAX_DEPTH = 48;
    static final int INLINE_ITEMS = 8;
    /** Values shown in all: containers shared through the memo could otherwise print billions of lines. */
    static final int MAX_NODES = 100_000;
    /** Strings longer than this show their start and their length. */
    static final int MAX_STRING = 200;

    private final Checkpoint ckpt;
    private final Map<String, String> firstUserOfStorage = new HashMap<>();
    private final Map<PickleValue, Boolean> onPath = new IdentityHashMap<>();
    private int nodes;

    public TreeBuilder(Checkpoint ckpt) {
        this.ckpt = ckpt;
    }

    public Node build() {
        return node("", ckpt.root(), "", 0);
    }

    private Node node(String key, PickleValue v, String path, int depth) {
        if (v instanceof PTensor t) {
            return tensor(key, t, path);
        }
        String inline = inline(v);
        if (inline != null) {
            if ("params".equals(key) && v instanceof PList l) {
                // An optimizer param group lists its parameters by index: say how many.
                inline += "  (" + l.items().size() + (l.items().size() == 1 ? " parameter)" : " parameters)");
            }
            return Node.leaf(key, v.typeName(), inline);
        }
        if (depth >= MAX_DEPTH || onPath.containsKey(v)) {
            return Node.leaf(key, v.typeName(), onPath.containsKey(v) ? "(contains itself)" : "(nested deeper)");
        }
        onPath.put(v, Boolean.TRUE);
        try {
            String type = v.typeName();
            List<Map.Entry<String, PickleValue>> kids = new ArrayList<>();
            if (v instanceof PDict d) {
                entries(d, kids);
            } else if (v instanceof PList l) {
                indexed(l.items(), kids);
            } else if (v instanceof PTuple t) {
                indexed(t.items(), kids);
            } else if (v instanceof PSet s) {
                int i = 0;
                for (PickleValue item : s.items()) {
                    kids.add(Map.entry(Integer.toString(i++), item));
                }
            } else if (v instanceof PObject o) {
                ModuleView module = ckpt.modules().view(o);
                if (module != null) {
                    type = shortName(o.type()) + " (" + o.type().qualified() + ")";
                    kids.addAll(module.stateEntries());
                } else {
                    objectChildren(o, kids);
                }
            }
            List<Node> children = new ArrayList<>(Math.min(kids.size(), MAX_NODES));
            for (int i = 0; i < kids.size(); i++) {
                if (++nodes > MAX_NODES) {
                    children.add(Node.leaf("…", "", (kids.size() - i) + " more not shown (inspect shows at most "
                            + MAX_NODES + " values)"));
                    break;
                }
                Map.Entry<String, PickleValue> k = kids.get(i);
                String childPath = path.isEmpty() ? k.getKey() : path + "." + k.getKey();
                children.add(node(k.getKey(), k.getValue(), childPath, depth + 1));
            }
            return new Node(key, type, null, null, children);
        } finally {
            onPath.remove(v);
        }
    }

    private static void objectChildren(PObject o, List<Map.Entry<String, PickleValue>> kids) {
        PickleValue state = o.state();
        List<PickleValue> parts = new ArrayList<>();
        if (state instanceof PTuple t && t.size() == 2 && (t.get(0) instanceof PDict || t.get(1) instanceof PDict)) {
            parts.addAll(t.items());
        } else if (state != null) {
            parts.add(state);
        }
        for (PickleValue p : parts) {
            if (p instanceof PDict d) {
                entries(d, kids);
            } else if (p != PNone.NONE) {
                kids.add(Map.entry("(state)", p));
            }
        }
        if (state == null && o.args().size() > 0) {
            indexed(o.args().items(), kids);
        }
        indexed(o.listItems(), kids);
        entries(o.dictItems(), kids);
    }

    /** A dict's items as labelled children. A loop, not forEach(lambda): README, "Start-up". */
    private static void entries(PDict d, List<Map.Entry<String, PickleValue>> kids) {
        for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
            kids.add(Map.entry(label(e.getKey()), e.getValue()));
        }
    }

    private Node tensor(String key, PTensor t, String path) {
        TensorView v = t.view();
        String storage = v.storage().key();
        String shares = null;
        if (storage != null) {
            String first = firstUserOfStorage.putIfAbsent(storage, path);
            shares = first;
        }
        long bytes;
        try {
            bytes = v.byteLength();
        } catch (ArithmeticException e) {
            bytes = -1;
        }
        Quantization q = ckpt.view(t).quantization();
        String quant = q == null ? null : q.scheme() + (q.axis() >= 0
                ? " axis " + q.axis() + " scales " + few(q.scales()) + " zero_points " + few(q.zeroPoints())
                : " scale " + q.scales().get(0) + " zero_point " + q.zeroPoints().get(0));
        Node.TensorInfo info = new Node.TensorInfo(v.dtype().torchName(), v.shape().toArray(), bytes, storage,
                v.storageOffset(), v.isContiguous(), shares, quant);
        return new Node(key, "parameter".equals(t.kind()) ? "Parameter" : "Tensor", null, info, List.of());
    }

    /** A short list in full, a long one by its ends. */
    private static String few(List<?> values) {
        if (values.size() <= INLINE_ITEMS) {
            return values.toString();
        }
        return "[" + values.get(0) + ", " + values.get(1) + ", " + values.get(2) + ", …, "
                + values.get(values.size() - 1) + "] (" + values.size() + ")";
    }

    /** Scalars and short flat sequences print on one line; containers of containers do not. */
    static String inline(PickleValue v) {
        String numpy = NumpyValues.describe(v);
        if (numpy != null) {
            return numpy;
        }
        if (v == PNone.NONE || v instanceof PBool || v instanceof PInt || v instanceof PFloat) {
            return v.toString();
        }
        if (v instanceof PStr s) {
            String text = s.value();
            if (text.length() > MAX_STRING) {
                return "'" + text.substring(0, MAX_STRING / 2).replace("\n", "\\n") + "…' (" + text.length()
                        + " characters)";
            }
            return "'" + text.replace("\n", "\\n") + "'";
        }
        if (v instanceof PBytes b) {
            return b.typeName() + " (" + b.length() + " bytes)";
        }
        if (v instanceof PGlobal g) {
            return g.qualified();
        }
        if (v instanceof PStorage s) {
            return "storage '" + s.ref().key() + "' (" + s.ref().dtype() + ", " + s.ref().byteSize() + " bytes)";
        }
        if (v instanceof PSymbol s) {
            return symbol(s);
        }
        List<PickleValue> items = null;
        String open = "[";
        String close = "]";
        if (v instanceof PList l) {
            items = l.items();
        } else if (v instanceof PTuple t) {
            items = t.items();
            open = "(";
            close = t.size() == 1 ? ",)" : ")";
        } else if (v instanceof PSet s) {
            items = new ArrayList<>();
            for (PickleValue p : s.items()) {
                items.add(p);
            }
            open = "{";
            close = "}";
        } else if (v instanceof PDict d && d.size() == 0) {
            return "{}";
        }
        if (items == null || !allScalar(items)) {
            return null;
        }
        StringBuilder sb = new StringBuilder(open);
        int n = items.size();
        for (int i = 0; i < n; i++) {
            if (n > INLINE_ITEMS && i == INLINE_ITEMS - 2) {
                sb.append("…, ").append(inline(items.get(n - 1)));
                return sb.append(close).append(" (").append(n).append(" items)").toString();
            }
            sb.append(i > 0 ? ", " : "").append(inline(items.get(i)));
        }
        return sb.append(n == 0 && v instanceof PSet ? "" : "").append(close).toString();
    }

    private static boolean allScalar(List<PickleValue> items) {
        for (PickleValue p : items) {
            if (!(p == PNone.NONE || p instanceof PBool || p instanceof PInt || p instanceof PFloat
                    || p instanceof PStr || p instanceof PGlobal)) {
                return false;
            }
        }
        return true;
    }

    private static String symbol(PSymbol s) {
        if (s.args() == null || !allScalar(s.args().items())) {
            return s.what().qualified() + (s.args() == null ? "" : "(…)");
        }
        String args = inline(s.args());
        if (s.args().size() == 1) {
            args = args.substring(0, args.length() - 2) + ")";
        }
        return s.what().qualified() + args;
    }

    private static void indexed(List<PickleValue> items, List<Map.Entry<String, PickleValue>> kids) {
        for (int i = 0; i < items.size(); i++) {
            kids.add(Map.entry(Integer.toString(i), items.get(i)));
        }
    }

    static String label(PickleValue key) {
        if (key instanceof PStr s) {
            return s.value();
        }
        String inline = inline(key);
        return inline != null ? inline : key.typeName();
    }

    private static String shortName(PGlobal g) {
        return g.name();
    }
}
