package org.pthconvert.select;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
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
 * A state dict's {@code _metadata} attribute: for each module prefix ({@code ""}, {@code "bn1"},
 * ...), the plain values torch recorded ({@code {"version": 2}}), which {@code load_state_dict}
 * hands back to modules such as BatchNorm. Kept in insertion order, with prefixes relative to the
 * selection and renamed by the name rules of the conversion ({@link #of}, {@link #renamed}).
 *
 * @param modules prefix -> (key -> value); values are {@code Long}, {@code Double}, {@code Boolean},
 *                {@code String} or null
 */
public record ModuleMetadata(Map<String, Map<String, Object>> modules) {

    public static final ModuleMetadata EMPTY = new ModuleMetadata(Map.of());

    public ModuleMetadata {
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : modules.entrySet()) { // loops, not lambdas: README, "Start-up"
            copy.put(e.getKey(), Collections.unmodifiableMap(new LinkedHashMap<>(e.getValue())));
        }
        modules = Collections.unmodifiableMap(copy);
    }

    public boolean isEmpty() {
        return modules.isEmpty();
    }

    /**
     * Whether {@code path} is {@code parent} and one more segment. Compared by index: run once per
     * tensor, where a sub-list's equals would make two iterators and a sub-list each time.
     */
    private static boolean sameParent(List<String> parent, List<String> path) {
        int n = parent.size();
        if (path.size() != n + 1) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!parent.get(i).equals(path.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@code _metadata} of the dict that directly holds every one of {@code tensors} (named as
     * {@link WeightSelector} names them, before name rules), with prefixes made relative to the
     * selection; empty when the tensors come from several dicts or the dict has none (a plain dict,
     * a whole pickled module).
     */
    public static ModuleMetadata of(Checkpoint ckpt, List<NamedTensor> tensors) {
        if (tensors.isEmpty()) {
            return EMPTY;
        }
        NamedTensor first = tensors.get(0);
        List<String> firstPath = first.source().path();
        String firstLeaf = firstPath.isEmpty() ? null : firstPath.get(firstPath.size() - 1);
        if (firstLeaf == null || !firstLeaf.endsWith(first.name())) {
            return EMPTY;
        }
        List<String> parent = firstPath.subList(0, firstPath.size() - 1);
        String within = firstLeaf.substring(0, firstLeaf.length() - first.name().length());
        // The first tensor's dict is the only candidate: without metadata there, the answer is empty
        // whatever the other tensors are, and they are not looked at (a plain dict of 100,000 tensors).
        PickleValue v = ckpt.root();
        for (String segment : parent) {
            v = v instanceof PDict d ? child(d, segment) : null;
        }
        if (!(v instanceof PDict sd) || !(sd.attributes().get("_metadata") instanceof PDict md)) {
            return EMPTY;
        }
        for (NamedTensor t : tensors.subList(1, tensors.size())) {   // the first one made parent and within
            List<String> path = t.source().path();
            if (path.isEmpty()) {
                return EMPTY;
            }
            String leaf = path.get(path.size() - 1);
            if (!leaf.endsWith(t.name()) || !sameParent(parent, path)
                    || !leaf.regionMatches(0, within, 0, within.length())
                    || leaf.length() != within.length() + t.name().length()) {
                return EMPTY;
            }
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
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
            Map<String, Object> kept = new LinkedHashMap<>();
            for (Map.Entry<PickleValue, PickleValue> f : values.entries()) {
                if (f.getKey() instanceof PStr name && isPlain(f.getValue())) {
                    kept.put(name.value(), plain(f.getValue()));
                }
            }
            out.put(k, kept);
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

    private static Object plain(PickleValue v) {
        if (v instanceof PInt i) {
            return i.longValueExact();
        } else if (v instanceof PFloat f) {
            return f.value();
        } else if (v instanceof PStr s) {
            return s.value();
        } else if (v instanceof PBool b) {
            return b.value();
        }
        return null;
    }

    /**
     * The prefixes renamed as {@code rules} renamed the tensors from {@code before} to {@code after}:
     * a prefix is mapped like a tensor name ({@code module.bn1} -> {@code bn1}; {@code module} -> the
     * root, as torch's {@code consume_prefix_in_state_dict_if_present} does) and dropped only when the
     * source had tensors under it and the rules removed every one. A prefix mapped onto an existing one
     * replaces its values.
     */
    public ModuleMetadata renamed(NameRules rules, List<NamedTensor> before, List<NamedTensor> after) {
        if (modules.isEmpty()) {
            return this;
        }
        Set<List<String>> survivors = new HashSet<>();
        for (NamedTensor t : after) {
            survivors.add(t.source().path());
        }
        List<String> wrappers = firedWrapperPrefixes(rules, before);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> m : modules.entrySet()) {
            String key = m.getKey();
            boolean any = false;
            boolean kept = false;
            for (NamedTensor t : before) {
                if (key.isEmpty() || t.name().startsWith(key + ".")) {
                    any = true;
                    if (survivors.contains(t.source().path())) {
                        kept = true;
                        break;
                    }
                }
            }
            if (!any || kept) {
                out.put(rename(key, rules, wrappers), m.getValue());
            }
        }
        return new ModuleMetadata(out);
    }

    /** The wrapper prefixes {@link NameRules} removed because every name had them. */
    private static List<String> firedWrapperPrefixes(NameRules rules, List<NamedTensor> before) {
        List<String> fired = new ArrayList<>();
        if (rules.userGaveRules() || rules.keepNames()) {
            return fired;
        }
        List<String> names = new ArrayList<>();
        for (NamedTensor t : before) {
            names.add(t.name());
        }
        for (String prefix : NameRules.WRAPPER_PREFIXES) {
            if (!names.isEmpty() && allUnder(names, prefix)) {
                fired.add(prefix);
                for (int i = 0; i < names.size(); i++) {
                    names.set(i, names.get(i).substring(prefix.length()));
                }
            }
        }
        return fired;
    }

    /** Whether every name starts with {@code prefix} and has more after it. */
    private static boolean allUnder(List<String> names, String prefix) {
        for (String n : names) {
            if (!n.startsWith(prefix) || n.length() <= prefix.length()) {
                return false;
            }
        }
        return true;
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
