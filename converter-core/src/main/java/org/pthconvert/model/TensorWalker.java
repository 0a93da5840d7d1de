package org.pthconvert.model;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
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
import org.pthconvert.torch.PTensor;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.torch.PStorage;
import org.pthconvert.torch.hooks.TensorRebuilder;

/**
 * Finds every tensor reachable from a pickle's root, in order, with its path. A pickled
 * {@code nn.Module} contributes exactly what its {@code state_dict()} would: parameters, persistent
 * buffers, then submodules. Iterative, so nesting depth never touches the Java stack; paths are
 * shared parent links, materialised only for tensors; a container that contains itself is not
 * entered twice on one path.
 *
 * <p>Bounded: the object tree may nest at most {@value #MAX_DEPTH} levels (torch.save, a recursive
 * pickler, cannot write deeper ones), the walk visits at most {@value #MAX_VISITS} values (a
 * container shared many times through the memo is walked once per path, unless it turned out to hold
 * no tensor), finds at most {@value #MAX_TENSORS} tensor paths, of which at most
 * {@value #MAX_SHARED_PATHS} lead to a tensor already found by another path (tied weights need a
 * few; a shared dict of tensors repeated through the memo would need billions), and the paths and
 * names of the tensors found may only grow in step with their number ({@link #PATH_PARTS},
 * {@link #NAME_CHARS}); beyond any of them the file is refused as {@link Reason#LIMIT}.
 */
final class TensorWalker {
    static final long MAX_VISITS = 20_000_000L;
    static final int MAX_DEPTH = 10_000;
    static final int MAX_TENSORS = 5_000_000;
    static final int MAX_SHARED_PATHS = 1_000_000;
    /**
     * The parts of all tensor paths together may number this many, plus {@value #PARTS_PER_TENSOR} per
     * tensor found. Memo sharing lets a pickle of 48 KB nest thousands of tuples around thousands of
     * tensors (a fuzzer's mutant): 8 million parts, a 256 MiB heap exhausted. A real checkpoint's paths
     * average well under ten parts.
     */
    static final long PATH_PARTS = 250_000;
    static final int PARTS_PER_TENSOR = 64;
    /** The same for the characters of all tensor names together: a long key shared through the memo. */
    static final long NAME_CHARS = 16L << 20;
    static final int CHARS_PER_TENSOR = 256;
    /** Index segments up to here are one shared string each. */
    private static final String[] INDEX = new String[256];

    static {
        for (int i = 0; i < INDEX.length; i++) {
            INDEX[i] = Integer.toString(i);
        }
    }

    /** The result of a walk: readable tensors and the ones refused by name. */
    record Found(List<TensorEntry> tensors, List<Unreadable> unreadable) {
    }

    /** A path as a chain of parent links: one small object per value visited, whatever the depth. */
    private record Trail(Trail parent, String segment, int depth, long chars) {
        static final Trail ROOT = new Trail(null, null, 0, 0);

        Trail child(String s) {
            return new Trail(this, s, depth + 1, chars + (depth == 0 ? 0 : 1) + s.length());
        }

        /** As an immutable list, which a {@link TensorEntry} keeps as it is (a state dict's: one object). */
        List<String> segments() {
            if (depth == 1) {
                return List.of(segment);
            }
            String[] out = new String[depth];
            Trail p = this;
            for (int i = depth - 1; i >= 0; i--) {
                out[i] = p.segment;
                p = p.parent;
            }
            return List.of(out);
        }
    }

    /** A value to visit, or (foundBefore >= 0) the exit of a container entered when that many were found. */
    private record Frame(PickleValue value, Trail path, int foundBefore) {
        boolean exit() {
            return foundBefore >= 0;
        }
    }

    /** A child: its key (a String, an index or a dict key, named only when visited) and value. */
    private record Child(Object key, PickleValue value) {
        String name() {
            return key instanceof String s ? s : key instanceof Integer i ? index(i) : segment((PickleValue) key);
        }
    }

    private final Map<PTensor, TensorRebuilder.Problem> problems;
    private final ModuleIndex modules;
    private final Path file;
    private final String record;

    /** Errors name {@code file} and the pickle {@code record} the tree came from. */
    TensorWalker(Map<PTensor, TensorRebuilder.Problem> problems, ModuleIndex modules, Path file, String record) {
        this.problems = problems;
        this.modules = modules;
        this.file = file;
        this.record = record;
    }

    Found walk(PickleValue root) throws CheckpointException {
        List<TensorEntry> tensors = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        Map<PickleValue, Boolean> onPath = new IdentityHashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        Map<PickleValue, Boolean> tensorFree = new IdentityHashMap<>();
        Map<PTensor, Boolean> seen = new IdentityHashMap<>();
        long sharedPaths = 0;
        PathBudget budget = new PathBudget();
        stack.push(new Frame(root, Trail.ROOT, -1));
        long visits = 0;
        while (!stack.isEmpty()) {
            Frame f = stack.pop();
            if (f.exit()) {
                onPath.remove(f.value());
                if (f.foundBefore() == tensors.size() + unreadable.size()) {
                    tensorFree.put(f.value(), Boolean.TRUE);
                }
                continue;
            }
            if (++visits > MAX_VISITS) {
                throw tooManyVisits();
            }
            PickleValue v = f.value();
            if (v instanceof PTensor t) {
                if (tensors.size() + unreadable.size() >= MAX_TENSORS) {
                    throw limit("the checkpoint holds more than " + MAX_TENSORS + " tensors (counting every path"
                            + " to a shared one)");
                }
                if (seen.put(t, Boolean.TRUE) != null && ++sharedPaths > MAX_SHARED_PATHS) {
                    throw limit("more than " + MAX_SHARED_PATHS + " paths lead to tensors already found by another"
                            + " path (a container of tensors shared over and over)");
                }
                budget.charge(f.path(), tensors.size() + unreadable.size() + 1);
                addTensor(t, f.path().segments(), tensors, unreadable);
                continue;
            }
            if (v instanceof PSymbol s) {
                String what = unreadableSymbol(s);
                if (what != null) {
                    budget.charge(f.path(), tensors.size() + unreadable.size() + 1);
                    unreadable.add(new Unreadable(f.path().segments(), what));
                }
                continue;
            }
            if (tensorFree.containsKey(v)) {
                continue; // a shared container already walked once and found to hold no tensor
            }
            List<Child> children = children(v);
            if (children.isEmpty() || onPath.containsKey(v)) {
                continue;
            }
            if (f.path().depth() >= MAX_DEPTH) {
                throw limit("the object tree is nested more than " + MAX_DEPTH + " levels deep (at '"
                        + abbreviate(f.path()) + "')");
            }
            onPath.put(v, Boolean.TRUE);
            stack.push(new Frame(v, f.path(), tensors.size() + unreadable.size()));
            for (int i = children.size() - 1; i >= 0; i--) {
                Child c = children.get(i);
                if (isLeaf(c.value())) {
                    if (++visits > MAX_VISITS) {
                        throw tooManyVisits();
                    }
                    continue; // nothing under a scalar: counted, never pushed
                }
                stack.push(new Frame(c.value(), f.path().child(c.name()), -1));
            }
        }
        return new Found(tensors, unreadable);
    }

    /** The parts and characters of the paths found so far, refused when they outgrow the tensors. */
    private final class PathBudget {
        private long parts;
        private long chars;

        /** Counts the path to the {@code found}-th tensor (or tensor-like value). */
        void charge(Trail path, int found) throws CheckpointException {
            parts += path.depth();
            chars += path.chars();
            if (parts > PATH_PARTS + (long) PARTS_PER_TENSOR * found) {
                throw limit("the paths to the first " + found + " tensors hold " + parts + " parts in all, over "
                        + PATH_PARTS + " + " + PARTS_PER_TENSOR + " per tensor (containers nested deep around them)");
            }
            if (chars > NAME_CHARS + (long) CHARS_PER_TENSOR * found) {
                throw limit("the names of the first " + found + " tensors hold " + chars + " characters in all, over "
                        + NAME_CHARS + " + " + CHARS_PER_TENSOR + " per tensor (long keys shared by many paths)");
            }
        }
    }

    private static String index(int i) {
        return i >= 0 && i < INDEX.length ? INDEX[i] : Integer.toString(i);
    }

    private CheckpointException tooManyVisits() {
        return limit("the object graph has more than " + MAX_VISITS
                + " values to visit (shared containers nested too often)");
    }

    /** Values that hold nothing a walk could find. */
    private static boolean isLeaf(PickleValue v) {
        return v == PNone.NONE || v instanceof PInt || v instanceof PStr || v instanceof PBool
                || v instanceof PickleValue.PFloat || v instanceof PickleValue.PBytes || v instanceof PickleValue.PGlobal
                || v instanceof PStorage;
    }

    private CheckpointException limit(String detail) {
        return CheckpointException.of(Reason.LIMIT, detail).inFile(file).at(record, -1);
    }

    private CheckpointException invalid(long offset, String tensor, String detail) {
        return CheckpointException.of(Reason.INVALID, detail).inFile(file).at(record, offset).forTensor(tensor);
    }

    /** The first few segments of a deep path. */
    private static String abbreviate(Trail p) {
        List<String> segs = p.segments();
        String head = String.join(".", segs.subList(0, Math.min(5, segs.size())));
        // a key can be megabytes long: the path is shortened as a name is
        return CheckpointException.shown(segs.size() > 5 ? head + "..." : head);
    }

    private void addTensor(PTensor t, List<String> path, List<TensorEntry> tensors, List<Unreadable> unreadable)
            throws CheckpointException {
        TensorRebuilder.Problem problem = problems.get(t);
        if ("meta".equals(t.kind())) {
            unreadable.add(new Unreadable(path, "meta tensor: it has a shape but no data"));
        } else if (problem != null) {
            throw invalid(problem.offset(), String.join(".", path), problem.detail());
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
    private List<Child> children(PickleValue v) {
        List<Child> out = new ArrayList<>();
        if (v instanceof PDict d) {
            entries(d, out);
        } else if (v instanceof PList l) {
            indexed(l.items(), out);
        } else if (v instanceof PTuple t) {
            indexed(t.items(), out);
        } else if (v instanceof PObject o) {
            ModuleView module = modules.view(o);
            if (module != null) {
                for (Map.Entry<String, PickleValue> e : module.stateEntries()) {
                    out.add(new Child(e.getKey(), e.getValue()));
                }
            } else {
                objectChildren(o, out);
            }
        }
        return out;
    }

    private static void entries(PDict d, List<Child> out) {
        for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
            out.add(new Child(e.getKey(), e.getValue()));
        }
    }

    private void objectChildren(PObject o, List<Child> out) {
        PickleValue state = o.state();
        if (state instanceof PTuple pair && pair.size() == 2) {
            for (PickleValue part : pair.items()) {
                if (part instanceof PDict d) {
                    entries(d, out);
                }
            }
        } else if (state instanceof PDict d) {
            entries(d, out);
        }
        indexed(o.listItems(), out);
        entries(o.dictItems(), out);
    }

    private static void indexed(List<PickleValue> items, List<Child> out) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) != PNone.NONE) {
                out.add(new Child(i, items.get(i)));
            }
        }
    }

    /** How a key is spelled in a dotted name: strings as they are, ints in decimal. */
    static String segment(PickleValue key) {
        if (key instanceof PStr s) {
            return s.value();
        }
        if (key instanceof PInt i) {
            return i.toString();
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
