package org.pthconvert.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue.PObject;

/**
 * Tells which pickled objects are modules and what their {@code state_dict()} holds. Eager modules
 * are recognised by their {@code _parameters}/{@code _modules} dicts. TorchScript modules declare
 * their parameters and buffers in the archive's code files ({@code __parameters__ = [...]}), which
 * are read here as text, never run.
 */
public final class ModuleIndex {
    /** Code files are small; a larger total is not a TorchScript archive we should trust. */
    private static final long MAX_CODE_BYTES = 64L << 20;
    /** Only TorchScript archives are parsed: the patterns are compiled then, not for every checkpoint. */
    private static final class Patterns {
        static final Pattern CLASS = Pattern.compile("^class[ \\t]+(\\w+)[ \\t]*\\(", Pattern.MULTILINE);
        /**
         * One line each (TorchScript writes them so): with {@code \s} or a list that may span lines, every
         * line start would rescan the rest of a hostile file, quadratic time.
         */
        static final Pattern DECL = Pattern.compile("^[ \\t]+__(parameters|buffers)__[ \\t]*=[ \\t]*\\[([^\\]\\n]*)\\]",
                Pattern.MULTILINE);
        static final Pattern NAME = Pattern.compile("\"([^\"]*)\"|'([^']*)'");
    }

    private final Map<String, List<String>> scripted;

    private ModuleIndex(Map<String, List<String>> scripted) {
        this.scripted = scripted;
    }

    static ModuleIndex of(CheckpointContainer container) throws IOException, CheckpointException {
        Map<String, List<String>> decls = new HashMap<>();
        if (container.format() != CheckpointContainer.Format.TORCHSCRIPT) {
            return new ModuleIndex(decls);
        }
        long total = 0;
        for (String record : container.recordNames()) {
            if (!record.startsWith("code/__torch__") || !record.endsWith(".py")) {
                continue;
            }
            String text;
            try (InputStream in = container.openRecord(record)) {
                byte[] data = in.readNBytes((int) Math.min(MAX_CODE_BYTES - total, Integer.MAX_VALUE - 8));
                total += data.length;
                text = new String(data, StandardCharsets.UTF_8);
            }
            String modulePath = record.substring("code/".length(), record.length() - ".py".length()).replace('/', '.');
            parse(modulePath, text, decls);
        }
        return new ModuleIndex(decls);
    }

    private static void parse(String module, String text, Map<String, List<String>> out) {
        Matcher c = Patterns.CLASS.matcher(text);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (c.find()) {
            starts.add(new int[] {c.start()});
            names.add(c.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            int from = starts.get(i)[0];
            int to = i + 1 < names.size() ? starts.get(i + 1)[0] : text.length();
            List<String> declared = new ArrayList<>();
            Matcher d = Patterns.DECL.matcher(text.substring(from, to));
            while (d.find()) {
                Matcher n = Patterns.NAME.matcher(d.group(2));
                while (n.find()) {
                    declared.add(n.group(1) != null ? n.group(1) : n.group(2));
                }
            }
            out.put(module + "." + names.get(i), declared);
        }
    }

    /** True when this checkpoint is a TorchScript archive whose code declared modules. */
    public boolean isScripted() { return !scripted.isEmpty(); }

    /** The module view of {@code o}, or null when {@code o} is not a module. */
    public ModuleView view(PObject o) {
        List<String> declared = scripted.get(o.type().qualified());
        if (declared != null) {
            return ModuleView.scripted(o, declared, child -> scripted.containsKey(child.type().qualified()));
        }
        return ModuleView.eager(o);
    }
}
