package org.pthconvert.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PStr;

/**
 * A pickled {@code nn.Module} (from {@code torch.save(model)}) seen through its {@code __dict__}:
 * what {@code state_dict()} would list, without importing the class.
 *
 * @param className   the module's class, e.g. {@code __main__.Net}
 * @param stateEntries parameters, persistent buffers and submodules, in state_dict order
 */
public record ModuleView(String className, List<Map.Entry<String, PickleValue>> stateEntries) {

    /** The module view of {@code o}, or null when it is not a module. */
    public static ModuleView eager(PObject o) {
        PickleValue params = o.attribute("_parameters");
        PickleValue buffers = o.attribute("_buffers");
        PickleValue modules = o.attribute("_modules");
        if (!(params instanceof PDict p) || !(modules instanceof PDict m)) {
            return null;
        }
        List<Map.Entry<String, PickleValue>> out = new ArrayList<>();
        addNonNull(p, Set.of(), out);
        if (buffers instanceof PDict b) {
            addNonNull(b, nonPersistent(o), out);
        }
        addNonNull(m, Set.of(), out);
        return new ModuleView(o.type().qualified(), out);
    }

    /** A TorchScript module: its declared parameters and buffers, then every attribute that is a module. */
    public static ModuleView scripted(PObject o, List<String> parametersAndBuffers, java.util.function.Predicate<PObject> isModule) {
        if (!(o.state() instanceof PDict state)) {
            return null;
        }
        List<Map.Entry<String, PickleValue>> out = new ArrayList<>();
        for (String name : parametersAndBuffers) {
            PickleValue v = state.get(name);
            if (v != null && v != PNone.NONE) {
                out.add(Map.entry(name, v));
            }
        }
        for (Map.Entry<PickleValue, PickleValue> e : state.entries()) {
            if (e.getKey() instanceof PStr k && e.getValue() instanceof PObject child && isModule.test(child)) {
                out.add(Map.entry(k.value(), child));
            }
        }
        return new ModuleView(o.type().qualified(), out);
    }

    private static Set<String> nonPersistent(PObject o) {
        if (!(o.attribute("_non_persistent_buffers_set") instanceof PSet s)) {
            return Set.of();
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (PickleValue v : s.items()) {
            if (v instanceof PStr str) {
                names.add(str.value());
            }
        }
        return names;
    }

    private static void addNonNull(PDict d, Set<String> skip, List<Map.Entry<String, PickleValue>> out) {
        for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
            String name = TensorWalker.segment(e.getKey());
            if (e.getValue() != PNone.NONE && !skip.contains(name)) {
                out.add(Map.entry(name, e.getValue()));
            }
        }
    }
}
