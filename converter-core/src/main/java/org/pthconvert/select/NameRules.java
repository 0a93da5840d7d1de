package org.pthconvert.select;

import org.pthconvert.errors.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;

/**
 * The user's renaming and filtering, applied in a fixed order: strip prefixes, rename, include,
 * exclude. With no rule given, a {@code module.} or {@code _orig_mod.} prefix shared by every name
 * (DataParallel, DDP, torch.compile) is removed unless names are to be kept.
 */
public record NameRules(List<String> stripPrefixes, List<Rename> renames, List<Glob> includes, List<Glob> excludes,
                        boolean keepNames) {

    /** Prefixes wrappers add to every key. */
    public static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.");

    /** {@code --rename REGEX=REPLACEMENT}; the replacement may use {@code $1}. */
    public record Rename(Pattern regex, String replacement) {
        public static Rename parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new InvalidRequestException("--rename takes REGEX=REPLACEMENT, got '" + spec + "'");
            }
            try {
                return new Rename(Pattern.compile(spec.substring(0, eq)), spec.substring(eq + 1));
            } catch (PatternSyntaxException e) {
                throw new InvalidRequestException("--rename: bad regex '" + spec.substring(0, eq) + "': "
                        + e.getDescription());
            }
        }

        String apply(String name) {
            Matcher m = regex.matcher(name);
            return m.replaceAll(replacement);
        }
    }

    public NameRules {
        stripPrefixes = List.copyOf(stripPrefixes);
        renames = List.copyOf(renames);
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
    }

    public static NameRules none() {
        return new NameRules(List.of(), List.of(), List.of(), List.of(), false);
    }

    public boolean userGaveRules() {
        return !stripPrefixes.isEmpty() || !renames.isEmpty() || !includes.isEmpty() || !excludes.isEmpty();
    }

    private static boolean anyMatches(List<Glob> globs, String name) {
        for (Glob g : globs) {
            if (g.matches(name)) {
                return true;
            }
        }
        return false;
    }

    public Selected apply(Selected in) throws CheckpointException {
        List<String> notes = new ArrayList<>(in.notes());
        List<NamedTensor> tensors = new ArrayList<>();
        // Indexed loops: the rule lists are most often empty, and an iterator over one is still an
        // object made per tensor (C1, which runs this, does not remove them).
        for (int k = 0; k < in.tensors().size(); k++) {
            NamedTensor t = in.tensors().get(k);
            String name = t.name();
            for (int i = 0; i < stripPrefixes.size(); i++) {
                String p = stripPrefixes.get(i);
                if (name.startsWith(p)) {
                    name = name.substring(p.length());
                }
            }
            for (int i = 0; i < renames.size(); i++) {
                name = renames.get(i).apply(name);
            }
            if (!includes.isEmpty() && !anyMatches(includes, name) || !excludes.isEmpty() && anyMatches(excludes, name)) {
                continue;
            }
            tensors.add(name.equals(t.name()) ? t : t.withName(name));
        }
        if (!userGaveRules() && !keepNames) {
            tensors = stripWrapperPrefix(tensors, notes);
        }
        checkNames(tensors);
        return new Selected(in.checkpoint(), tensors, notes, in.unreadable(),
                in.moduleMetadata().renamed(this, in.tensors(), tensors));
    }

    private static List<NamedTensor> stripWrapperPrefix(List<NamedTensor> tensors, List<String> notes) {
        for (String prefix : WRAPPER_PREFIXES) {
            boolean all = !tensors.isEmpty();
            for (NamedTensor t : tensors) {
                if (!t.name().startsWith(prefix) || t.name().length() == prefix.length()) {
                    all = false;
                    break;
                }
            }
            if (all) {
                List<NamedTensor> out = new ArrayList<>(tensors.size());
                for (NamedTensor t : tensors) {
                    out.add(t.withName(t.name().substring(prefix.length())));
                }
                notes.add("removed the prefix '" + prefix + "' shared by every name (--keep-names keeps it)");
                tensors = out;
            }
        }
        return tensors;
    }

    /** Two tensors under one name, or an empty name, is an error naming both. */
    private static void checkNames(List<NamedTensor> tensors) throws CheckpointException {
        Map<String, NamedTensor> seen = new HashMap<>(tensors.size() * 4 / 3 + 1);
        for (NamedTensor t : tensors) {
            if (t.name().isEmpty()) {
                throw CheckpointException.of(Reason.INVALID, "the name rules leave this tensor with an empty name").forTensor(t.source().name());
            }
            NamedTensor other = seen.putIfAbsent(t.name(), t);
            if (other != null) {
                throw CheckpointException.of(Reason.INVALID, "tensors '" + CheckpointException.shown(other.source().name())
                        + "' and '" + CheckpointException.shown(t.source().name()) + "' would both be named '"
                        + CheckpointException.shown(t.name()) + "'");
            }
        }
    }
}
