package org.pthconvert.cli;

import java.util.ArrayList;
import java.util.List;

import org.pthconvert.select.Glob;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.Selection;

import picocli.CommandLine.Option;

/** Which tensors to take and what to call them: shared by every command that writes tensors. */
public final class ReaderOptions {

    @Option(names = "--select", paramLabel = "WHAT", defaultValue = "auto",
            description = {"auto (default): the model weights — a dict of tensors as it is, else the first of "
                    + "state_dict, model_state_dict, model, module, net, network, ema, params that holds tensors, "
                    + "else every tensor.",
                    "all: every tensor in the file, optimizer state included.",
                    "PATH: one sub-tree, e.g. optimizer.state."})
    String select;

    @Option(names = "--strip-prefix", paramLabel = "P", description = "Remove this prefix from names (repeatable).")
    List<String> stripPrefixes = new ArrayList<>();

    @Option(names = "--rename", paramLabel = "REGEX=REPLACEMENT",
            description = "Rewrite names with a Java regex; $1 refers to a group (repeatable, applied in order).")
    List<String> renames = new ArrayList<>();

    @Option(names = "--include", paramLabel = "GLOB",
            description = "Keep only names matching a glob (* matches dots too; repeatable).")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Drop names matching a glob (repeatable).")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "The name of the tensor when the file holds "
            + "one bare tensor (torch.save(tensor, f)); default: the input's file name without its extension.")
    String name;

    @Option(names = "--keep-names",
            description = "Keep a 'module.' or '_orig_mod.' prefix shared by every name (removed by default).")
    boolean keepNames;

    public Selection selection() {
        return Selection.parse(select);
    }

    /** @throws org.pthconvert.errors.InvalidRequestException on a malformed --rename or glob */
    public NameRules nameRules() {
        List<NameRules.Rename> r = new ArrayList<>();
        for (String spec : renames) {
            r.add(NameRules.Rename.parse(spec));
        }
        return new NameRules(stripPrefixes, r, includes.stream().map(Glob::compile).toList(),
                excludes.stream().map(Glob::compile).toList(), keepNames);
    }
}
