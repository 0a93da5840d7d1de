package org.pthconvert.select;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pthconvert.model.Checkpoint;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PStr;

/**
 * A state dict's {@code _metadata} attribute: per module prefix ({@code ""} for the root,
 * {@code "bn1"}, ...) the values {@code state_dict()} recorded, such as {@code {'version': 2}},
 * which {@code load_state_dict} hands back to each module (BatchNorm reads its version). Keys are
 * relative to the selected state dict and follow the name rules like the tensor names do.
 *
 * @param modules in the source's order; values are plain scalars only (64-bit int, float, str, bool, None)
 */
public record ModuleMetadata(List<Module> modules) {

    private static final ModuleMetadata EMPTY = new ModuleMetadata(List.of());

    /** One module's entry. */
    public record Module(String key, Map<String, PickleValue> values) {
        public Module {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }

    public ModuleMetadata {
        modules = List.copyOf(modules);
    }

    public static ModuleMetadata empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return modules.isEmpty();
    }

    /**
     * The {@code _metadata} of the dict that directly holds every tensor of {@code selected} (names
     * as {@link WeightSelector} gave them, before name rules), with keys made relative to the
     * selection; empty when the tensors come from several dicts or the dict has none.
     */
    public static ModuleMetadata of(Checkpoint ckpt, Selected selected) {
        List<NamedTensor> tensors = selected.tensors();
        if (tensors.isEmpty()) {
            return EMPTY;
        }
        List<String> parent = null;
        String within = null;
        for (NamedTensor t : tensors) {
            List<String> path = t.source().path();
            List<String> p = path.subList(0, path.size() - 1);
            String leaf = path.get(path.size() - 1);
            if (!leaf.endsWith(t.name())) {
                return EMPTY;
            }
            String x = leaf.substring(0, leaf.length() - t.name().length());
            if (parent == null) {
                parent = p;
                within = x;
            } else if (!parent.equals(p) || !within.equals(x)) {
                return EMPTY;
            }
        }
        PickleValue v = ckpt.root();
        for (String segment : parent) {
            v = v instanceof PDict d ? child(d, segment) : null;
        }
        if (!(v instanceof PDict sd) || !(sd.attributes().get("_metadata") instanceof PDict md)) {
            return EMPTY;
        }
        List<Module> out = new ArrayList<>();
        for (Map.Entry<PickleValue, PickleValue> e : md.entries()) {
            if (!(e.getKey() instanceof PStr key) || !(e.getValue() instanceof PDict values)) {
                continue;
            }
            String k = key.value();
            if (!within.isEmpty()) {
                String dotted = k.isEmpty() ? "" : k + ".";
                if (!dotted.startsWith(within)) {
                    continue;
                }
                k = trimDot(dotted.substring(within.length()));
            }
            Map<String, PickleValue> kept = new LinkedHashMap<>();
            for (Map.Entry<PickleValue, PickleValue> f : values.entries()) {
                if (f.getKey() instanceof PStr name && isPlain(f.getValue())) {
                    kept.put(name.value(), f.getValue());
                }
            }
            out.add(new Module(k, kept));
        }
        return new ModuleMetadata(out);
    }

    private static PickleValue child(PDict d, String segment) {
        PickleValue v = d.get(segment);
        if (v == null) {
            try {
                v = d.get(new PInt(new BigInteger(segment)));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return v;
    }

    private static boolean isPlain(PickleValue v) {
        return v instanceof PInt i && i.fitsLong() || v instanceof PFloat || v instanceof PStr || v instanceof PBool
                || v instanceof PNone;
    }

    /**
     * The keys renamed as {@code rules} renamed the tensors from {@code before} to {@code after}:
     * a key is mapped like a tensor name ({@code module.bn1} -> {@code bn1}; {@code module} -> the
     * root, as torch's {@code consume_prefix_in_state_dict_if_present} does) and dropped only when the
     * source had tensors under it and the rules removed every one. A key mapped onto an existing one
     * replaces its values.
     */
    public ModuleMetadata renamed(NameRules rules, Selected before, Selected after) {
        if (modules.isEmpty()) {
            return this;
        }
        Set<List<String>> survivors = new HashSet<>();
        for (NamedTensor t : after.tensors()) {
            survivors.add(t.source().path());
        }
        List<String> wrappers = firedWrapperPrefixes(rules, before);
        Map<String, Module> out = new LinkedHashMap<>();
        Map<String, Boolean> keptUnder = new HashMap<>();
        for (Module m : modules) {
            boolean any = false;
            boolean kept = false;
            for (NamedTensor t : before.tensors()) {
                if (m.key().isEmpty() || t.name().startsWith(m.key() + ".")) {
                    any = true;
                    kept |= survivors.contains(t.source().path());
                }
            }
            keptUnder.put(m.key(), !any || kept);
        }
        for (Module m : modules) {
            if (!keptUnder.get(m.key())) {
                continue;
            }
            String k = rename(m.key(), rules, wrappers);
            out.put(k, new Module(k, m.values()));
        }
        return new ModuleMetadata(new ArrayList<>(out.values()));
    }

    /** The wrapper prefixes {@link NameRules} removed because every name had them. */
    private static List<String> firedWrapperPrefixes(NameRules rules, Selected before) {
        List<String> fired = new ArrayList<>();
        if (rules.userGaveRules() || rules.keepNames()) {
            return fired;
        }
        List<String> names = new ArrayList<>();
        before.tensors().forEach(t -> names.add(t.name()));
        for (String prefix : NameRules.WRAPPER_PREFIXES) {
            boolean all = !names.isEmpty()
                    && names.stream().allMatch(n -> n.startsWith(prefix) && n.length() > prefix.length());
            if (all) {
                fired.add(prefix);
                names.replaceAll(n -> n.substring(prefix.length()));
            }
        }
        return fired;
    }

    private static String rename(String key, NameRules rules, List<String> wrappers) {
        if (key.isEmpty()) {
            return key;
        }
        String s = key + ".";
        for (String p : rules.stripPrefixes()) {
            if (s.startsWith(p)) {
                s = s.substring(p.length());
            }
        }
        for (NameRules.Rename r : rules.renames()) {
            s = r.apply(s);
        }
        for (String p : wrappers) {
            if (s.startsWith(p)) {
                s = s.substring(p.length());
            }
        }
        return trimDot(s);
    }

    private static String trimDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
