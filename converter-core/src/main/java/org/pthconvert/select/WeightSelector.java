package org.pthconvert.select;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.model.Unreadable;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.torch.PTensor;

/**
 * Picks the tensors a conversion takes. {@code auto}: a dict of tensors as it is; else the first
 * conventional key holding weights; else every tensor. Names are dotted paths relative to the
 * chosen sub-tree.
 */
public final class WeightSelector {
    /** Keys under which training scripts keep model weights, most specific first. */
    public static final List<String> WEIGHT_KEYS =
            List.of("state_dict", "model_state_dict", "model", "module", "net", "network", "ema", "params");

    private WeightSelector() {
    }

    /** {@link #select(Checkpoint, Selection, String)} naming a bare tensor after the file's stem. */
    public static Selected select(Checkpoint ckpt, Selection selection) throws CheckpointException {
        return select(ckpt, selection, defaultRootName(ckpt));
    }

    /**
     * The file's name without its extension ({@code weights} for {@code weights.pt}): the name a file
     * holding one bare tensor ({@code torch.save(tensor, f)}) gets by default.
     */
    public static String defaultRootName(Checkpoint ckpt) {
        Path file = ckpt.file().getFileName();
        String name = file == null ? "" : file.toString();
        int dot = name.lastIndexOf('.');
        name = dot > 0 ? name.substring(0, dot) : name;
        return name.isEmpty() ? "tensor" : name;
    }

    /** How many tensor-like values have no bytes we can give, and why the first has none. */
    private static String withoutData(List<Unreadable> unreadable) {
        Unreadable first = unreadable.get(0);
        return unreadable.size() + " tensor-like value" + (unreadable.size() == 1 ? "" : "s") + " without data; '"
                + CheckpointException.shown(first.name()) + "': " + first.reason();
    }

    /**
     * @param rootName the name of the tensor when the whole file is one bare tensor
     */
    public static Selected select(Checkpoint ckpt, Selection selection, String rootName) throws CheckpointException {
        if (ckpt.tensors().isEmpty()) {
            throw CheckpointException.of(Reason.INVALID, "the file holds no tensor" + (ckpt.unreadable().isEmpty() ? ""
                            : " with data (" + withoutData(ckpt.unreadable()) + ")")).inFile(ckpt.file());
        }
        List<String> notes = new ArrayList<>();
        if (ckpt.root() instanceof PTensor && ckpt.tensors().size() == 1 && ckpt.tensors().get(0).path().isEmpty()) {
            if (selection instanceof Selection.SubTree s) {
                throw CheckpointException.of(Reason.INVALID, "the file is one bare tensor; it has no sub-tree '" + s.path() + "'").inFile(ckpt.file());
            }
            notes.add("the file is one bare tensor, named '" + rootName + "'");
            return new Selected(ckpt, List.of(new NamedTensor(rootName, ckpt.tensors().get(0))), notes,
                    ckpt.unreadable(), ModuleMetadata.EMPTY);
        }
        List<NamedTensor> out;
        String prefix = "";
        if (selection instanceof Selection.All) {
            out = under(ckpt.tensors(), List.of());
        } else if (selection instanceof Selection.SubTree s) {
            out = subTree(ckpt, s.path());
            prefix = s.path() + ".";
            if (out.isEmpty()) {
                throw CheckpointException.of(Reason.INVALID, "the selection '" + s.path() + "' names no tensor (inspect shows the tree)").inFile(ckpt.file());
            }
        } else {
            out = auto(ckpt, notes);
            if (!notes.isEmpty()) {
                prefix = out.get(0).source().path().get(0) + ".";
            }
        }
        if (out.isEmpty()) {
            throw CheckpointException.of(Reason.INVALID, "the selection holds no tensor" + (ckpt.unreadable().isEmpty() ? ""
                            : " (" + withoutData(ckpt.unreadable()) + ")")).inFile(ckpt.file());
        }
        List<Unreadable> unreadable = new ArrayList<>();
        for (Unreadable u : ckpt.unreadable()) {
            if (u.name().startsWith(prefix)) {
                unreadable.add(u);
            }
        }
        return new Selected(ckpt, out, notes, unreadable, ModuleMetadata.of(ckpt, out));
    }

    private static List<NamedTensor> auto(Checkpoint ckpt, List<String> notes) {
        if (ckpt.root() instanceof PDict d && d.size() > 0 && allTensors(d)) {
            return under(ckpt.tensors(), List.of());
        }
        if (ckpt.root() instanceof PDict d) {
            for (String key : WEIGHT_KEYS) {
                PickleValue v = d.get(new PStr(key));
                if (v == null) {
                    continue;
                }
                List<NamedTensor> found = under(ckpt.tensors(), List.of(key));
                if (!found.isEmpty()) {
                    notes.add("took the weights under '" + key + "' (selecting all takes every tensor)");
                    return found;
                }
            }
        }
        return under(ckpt.tensors(), List.of());
    }

    private static boolean allTensors(PDict d) {
        for (var e : d.entries()) {
            if (!(e.getValue() instanceof PTensor)) {
                return false;
            }
        }
        return true;
    }

    /** Tensors whose dotted name starts with {@code path.}, named relative to it. */
    private static List<NamedTensor> subTree(Checkpoint ckpt, String path) {
        List<NamedTensor> out = new ArrayList<>();
        String prefix = path + ".";
        for (TensorEntry t : ckpt.tensors()) {
            String name = t.name();
            if (name.startsWith(prefix)) {
                out.add(new NamedTensor(name.substring(prefix.length()), t));
            } else if (name.equals(path)) {
                out.add(new NamedTensor(t.path().get(t.path().size() - 1), t));
            }
        }
        return out;
    }

    private static List<NamedTensor> under(List<TensorEntry> tensors, List<String> prefix) {
        List<NamedTensor> out = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorEntry t = tensors.get(i);
            List<String> path = t.path();
            if (path.size() > prefix.size() && startsWith(path, prefix)) {
                out.add(new NamedTensor(path.size() == prefix.size() + 1 ? path.get(prefix.size())
                        : String.join(".", path.subList(prefix.size(), path.size())), t));
            }
        }
        return out;
    }

    /** Compared by index: once per tensor, where a sub-list's equals makes a sub-list and two iterators. */
    private static boolean startsWith(List<String> path, List<String> prefix) {
        for (int i = 0; i < prefix.size(); i++) {
            if (!prefix.get(i).equals(path.get(i))) {
                return false;
            }
        }
        return true;
    }
}
