package org.pthconvert.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTensor;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * Finds every tensor reachable from a pickle's root, in order, with its path. A pickled
 * {@code nn.Module} contributes exactly what its {@code state_dict()} would: parameters, persistent
 * buffers, then submodules. Iterative, so nesting depth never touches the Java stack; a container
 * that contains itself is not entered twice on one path, and the total walk is bounded.
 */
final class TensorWalker {
    static final long MAX_VISITS = 50_000_000L;

    /** The result of a walk: readable tensors and the ones refused by name. */
    record Found(List<TensorEntry> tensors, List<Unreadable> unreadable) {
    }

    private record Frame(PickleValue value, List<String> path, boolean exit) {
    }

    private final Map<PTensor, TensorRebuilder.Problem> problems;
    private final Function<PObject, ModuleView> modules;
    private final CheckpointExceptionFactory errors;

    @FunctionalInterface
    interface CheckpointExceptionFactory {
        CheckpointException at(long offset, String tensor, String detail);
    }

    TensorWalker(Map<PTensor, TensorRebuilder.Problem> problems, Function<PObject, ModuleView> modules,
                 CheckpointExceptionFactory errors) {
        this.problems = problems;
        this.modules = modules;
        this.errors = errors;
    }

    Found walk(PickleValue root) throws CheckpointException {
        List<TensorEntry> tensors = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        Map<PickleValue, Boolean> onPath = new IdentityHashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root, List.of(), false));
        long visits = 0;
        while (!stack.isEmpty()) {
            Frame f = stack.pop();
            if (f.exit()) {
                onPath.remove(f.value());
                continue;
            }
            if (++visits > MAX_VISITS) {
                throw errors.at(-1, null, "the object graph has more than " + MAX_VISITS
                        + " nodes to visit (shared containers nested too often)");
            }
            PickleValue v = f.value();
            if (v instanceof PTensor t) {
                addTensor(t, f.path(), tensors, unreadable);
                continue;
            }
            if (v instanceof PSymbol s) {
                String what = unreadableSymbol(s);
                if (what != null) {
                    unreadable.add(new Unreadable(f.path(), what));
                }
                continue;
            }
            List<Map.Entry<String, PickleValue>> children = children(v);
            if (children.isEmpty() || onPath.containsKey(v)) {
                continue;
            }
            onPath.put(v, Boolean.TRUE);
            stack.push(new Frame(v, f.path(), true));
            for (int i = children.size() - 1; i >= 0; i--) {
                Map.Entry<String, PickleValue> c = children.get(i);
                List<String> p = new ArrayList<>(f.path().size() + 1);
                p.addAll(f.path());
                p.add(c.getKey());
                stack.push(new Frame(c.getValue(), p, false));
            }
        }
        return new Found(tensors, unreadable);
    }

    private void addTensor(PTensor t, List<String> path, List<TensorEntry> tensors, List<Unreadable> unreadable)
            throws CheckpointException {
        TensorRebuilder.Problem problem = problems.get(t);
        if ("meta".equals(t.kind())) {
            unreadable.add(new Unreadable(path, "meta tensor: it has a shape but no data"));
        } else if (problem != null) {
            throw errors.at(problem.offset(), String.join(".", path), problem.detail());
        } else {
            tensors.add(new TensorEntry(path, t.view(), t.kind()));
        }
    }

    private static String unreadableSymbol(PSymbol s) {
        return switch (s.what().qualified()) {
            case "torch._utils._rebuild_sparse_tensor" -> "sparse tensor: only dense tensors are converted";
            case "torch._utils._rebuild_nested_tensor" -> "nested tensor: only dense tensors are converted";
            case "torch._utils._rebuild_wrapper_subclass" -> "tensor subclass without storage";
            case "torch._utils._rebuild_xla_tensor" -> "XLA tensor";
            default -> null;
        };
    }

    /** Named children in the order Python would list them. */
    private List<Map.Entry<String, PickleValue>> children(PickleValue v) {
        List<Map.Entry<String, PickleValue>> out = new ArrayList<>();
        if (v instanceof PDict d) {
            for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
                out.add(Map.entry(segment(e.getKey()), e.getValue()));
            }
        } else if (v instanceof PList l) {
            indexed(l.items(), out);
        } else if (v instanceof PTuple t) {
            indexed(t.items(), out);
        } else if (v instanceof PObject o) {
            ModuleView module = modules.apply(o);
            if (module != null) {
                out.addAll(module.stateEntries());
            } else {
                objectChildren(o, out);
            }
        }
        return out;
    }

    private void objectChildren(PObject o, List<Map.Entry<String, PickleValue>> out) {
        PickleValue state = o.state();
        if (state instanceof PTuple pair && pair.size() == 2) {
            for (PickleValue part : pair.items()) {
                if (part instanceof PDict d) {
                    for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
                        out.add(Map.entry(segment(e.getKey()), e.getValue()));
                    }
                }
            }
        } else if (state instanceof PDict d) {
            for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
                out.add(Map.entry(segment(e.getKey()), e.getValue()));
            }
        }
        indexed(o.listItems(), out);
        for (Map.Entry<PickleValue, PickleValue> e : o.dictItems().entries()) {
            out.add(Map.entry(segment(e.getKey()), e.getValue()));
        }
    }

    private static void indexed(List<PickleValue> items, List<Map.Entry<String, PickleValue>> out) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) != PNone.NONE) {
                out.add(Map.entry(Integer.toString(i), items.get(i)));
            }
        }
    }

    /** How a key is spelled in a dotted name: strings as they are, ints in decimal. */
    static String segment(PickleValue key) {
        if (key instanceof PStr s) {
            return s.value();
        }
        if (key instanceof PInt i) {
            return i.value().toString();
        }
        if (key instanceof PBool b) {
            return b.value() ? "True" : "False";
        }
        if (key instanceof PSet) {
            return key.typeName();
        }
        return String.valueOf(key);
    }
}
