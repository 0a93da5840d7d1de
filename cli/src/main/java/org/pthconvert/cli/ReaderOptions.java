package org.pthconvert.cli;

import java.util.ArrayList;
import java.util.List;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.select.Glob;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.Selection;

/** Which tensors to take and what to call them: shared by every command that writes tensors. */
public final class ReaderOptions {

    static final List<Opt> OPTIONS = List.of(
            Opt.value("--select", "WHAT",
                    "auto (default): the model weights — a dict of tensors as it is, else the first of "
                            + "state_dict, model_state_dict, model, module, net, network, ema, params that holds "
                            + "tensors, else every tensor.",
                    "all: every tensor in the file, optimizer state included.",
                    "PATH: one sub-tree, e.g. optimizer.state.").withDefault("auto"),
            Opt.list("--strip-prefix", "P", "Remove this prefix from names (repeatable)."),
            Opt.list("--rename", "REGEX=REPLACEMENT",
                    "Rewrite names with a Java regex; $1 refers to a group (repeatable, applied in order)."),
            Opt.list("--include", "GLOB", "Keep only names matching a glob (* matches dots too; repeatable)."),
            Opt.list("--exclude", "GLOB", "Drop names matching a glob (repeatable)."),
            Opt.value("--name", "NAME", "The name of the tensor when the file holds one bare tensor "
                    + "(torch.save(tensor, f)); default: the input's file name without its extension."),
            Opt.flag("--keep-names",
                    "Keep a 'module.' or '_orig_mod.' prefix shared by every name (removed by default)."));

    final String select;
    final String name;
    private final List<String> stripPrefixes;
    private final List<String> renames;
    private final List<String> includes;
    private final List<String> excludes;
    private final boolean keepNames;

    ReaderOptions(Args args) {
        select = args.string("--select");
        name = args.string("--name");
        stripPrefixes = args.list("--strip-prefix");
        renames = args.list("--rename");
        includes = args.list("--include");
        excludes = args.list("--exclude");
        keepNames = args.flag("--keep-names");
    }

    public Selection selection() {
        return Selection.parse(select);
    }

    /** @throws org.pthconvert.errors.InvalidRequestException on a malformed --rename or glob */
    public NameRules nameRules() {
        List<NameRules.Rename> r = new ArrayList<>();
        for (String spec : renames) {
            r.add(NameRules.Rename.parse(spec));
        }
        List<Glob> in = new ArrayList<>();
        for (String g : includes) {
            in.add(Glob.compile(g));
        }
        List<Glob> out = new ArrayList<>();
        for (String g : excludes) {
            out.add(Glob.compile(g));
        }
        return new NameRules(stripPrefixes, r, in, out, keepNames);
    }
}
