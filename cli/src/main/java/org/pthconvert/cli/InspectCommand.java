package org.pthconvert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.cli.args.Positional;
import org.pthconvert.cli.args.Spec;
import org.pthconvert.cli.format.Columns;
import org.pthconvert.cli.format.Json;
import org.pthconvert.cli.format.Sizes;
import org.pthconvert.cli.inspect.JsonRenderer;
import org.pthconvert.cli.inspect.Node;
import org.pthconvert.cli.inspect.TextRenderer;
import org.pthconvert.cli.inspect.TreeBuilder;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.model.TensorEntry;
import org.pthconvert.model.Unreadable;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.Verdict;
import org.pthconvert.select.NamedTensor;
import org.pthconvert.select.NameRules;
import org.pthconvert.select.Selected;
import org.pthconvert.select.Selection;
import org.pthconvert.select.WeightSelector;

/** {@code pthconvert inspect FILE}: what is inside a checkpoint, read safely. */
public final class InspectCommand {

    static final String NAME = "pthconvert inspect";

    private final Path file;
    private final boolean json;
    private final PrintWriter out;

    InspectCommand(Args args, PrintWriter out) {
        this.file = args.pathAt(0);
        this.json = args.flag("--json");
        this.out = out;
    }

    static Spec spec() {
        return new Spec(NAME, List.of("Show what a checkpoint holds: its tree of keys exactly as stored, each "
                + "tensor's dtype, shape and size, optimizer and scheduler values, totals per section, and which "
                + "tensors `convert` would take. Nothing in the file is run."),
                List.of(Opt.flag("--json", "One JSON document for scripts instead of the tree."),
                        CommonOptions.OPTIONS.get(0)),
                List.of(Positional.one("FILE", Opt.Type.PATH, "A checkpoint written by torch.save or torch.jit.save.")),
                List.of(), List.of());
    }

    /** Tensors, elements and bytes under one top-level key. */
    record Section(String key, long tensors, long elements, long bytes) {
    }

    int call() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(file)) {
            Node tree = new TreeBuilder(ckpt).build();
            Map<String, Section> sections = sections(ckpt.tensors());
            Selected weights = weights(ckpt);
            if (json) {
                out.println(json(ckpt, tree, sections, weights));
            } else {
                text(out, ckpt, tree, sections, weights);
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    private static Selected weights(Checkpoint ckpt) {
        try {
            return NameRules.none().apply(WeightSelector.select(ckpt, new Selection.Auto()));
        } catch (CheckpointException e) {
            return null;
        }
    }

    static Map<String, Section> sections(List<TensorEntry> tensors) {
        Map<String, Section> out = new LinkedHashMap<>();
        for (TensorEntry t : tensors) {
            String key = t.path().isEmpty() ? "" : t.path().get(0);
            Section s = out.getOrDefault(key, new Section(key, 0, 0, 0));
            out.put(key, new Section(key, s.tensors() + 1, s.elements() + t.view().numel(),
                    s.bytes() + t.view().byteLength()));
        }
        return out;
    }

    private static long storedBytes(Checkpoint ckpt) {
        long sum = 0;
        for (var s : ckpt.storages().values()) {
            sum += s.byteSize();
        }
        return sum;
    }

    private static String verdictText(Checkpoint ckpt) {
        Verdict v = ckpt.audit().verdict();
        if (v == Verdict.SAFE) {
            return "safe to load (data and torch only)";
        }
        StringBuilder sb = new StringBuilder(v.label()).append(':');
        for (AuditEntry e : ckpt.audit().entries()) {
            if (e.verdict() == v) {
                sb.append(' ').append(Reporter.printable(e.global()));
            }
        }
        return sb.toString();
    }

    private void text(PrintWriter out, Checkpoint ckpt, Node tree, Map<String, Section> sections, Selected weights) {
        long elements = 0;
        int width = 1;
        for (Section s : sections.values()) {
            elements += s.elements();
            width = Math.max(width, s.key().length());
        }
        out.println(file + ": " + formatName(ckpt) + ", " + ckpt.tensors().size() + " tensors ("
                + Sizes.count(elements) + " elements, " + Sizes.human(storedBytes(ckpt)) + " stored), "
                + verdictText(ckpt));
        for (String w : ckpt.warnings()) {
            out.println("Note: " + Reporter.printable(w));
        }
        out.println();
        new TextRenderer(out).render(tree);
        out.println();
        if (sections.size() > 1 || !sections.containsKey("")) {
            out.println("Totals by section:");
            for (Section s : sections.values()) {
                out.println("  " + Columns.pad(s.key(), width) + "  "
                        + Sizes.count(s.tensors()) + " tensors  " + Sizes.count(s.elements()) + " elements  "
                        + Sizes.human(s.bytes()));
            }
        }
        if (weights != null) {
            long params = 0;
            long bytes = 0;
            for (var t : weights.tensors()) {
                params += t.source().view().numel();
                bytes += t.source().view().byteLength();
            }
            out.println("Weights convert takes by default: " + weights.tensors().size() + " tensors, "
                    + Sizes.count(params) + " parameters, " + Sizes.human(bytes)
                    + (weights.notes().isEmpty() ? "" : " (" + String.join("; ", weights.notes()) + ")"));
        }
        for (Unreadable u : ckpt.unreadable()) {
            out.println("Not convertible: " + u.name() + ": " + u.reason());
        }
    }

    private String json(Checkpoint ckpt, Node tree, Map<String, Section> sections, Selected weights) {
        Json j = new Json().beginObject();
        j.field("file", file.toString()).field("format", ckpt.format().name().toLowerCase())
                .field("verdict", ckpt.audit().verdict().label()).field("tensors", ckpt.tensors().size())
                .field("stored_bytes", storedBytes(ckpt));
        j.name("imports").beginArray();
        for (AuditEntry e : ckpt.audit().entries()) {
            if (e.verdict() != Verdict.SAFE) {
                j.string(e.global());
            }
        }
        j.endArray();
        j.name("sections").beginArray();
        for (Section s : sections.values()) {
            j.beginObject().field("key", s.key()).field("tensors", s.tensors()).field("elements", s.elements())
                    .field("bytes", s.bytes()).endObject();
        }
        j.endArray();
        if (weights != null) {
            j.name("weights").beginObject();
            j.name("notes").beginArray();
            for (String note : weights.notes()) { // loops, not forEach(lambda): README, "Start-up"
                j.string(note);
            }
            j.endArray();
            j.name("names").beginArray();
            for (NamedTensor t : weights.tensors()) {
                j.string(t.name());
            }
            j.endArray().endObject();
        }
        j.name("unconvertible").beginArray();
        for (Unreadable u : ckpt.unreadable()) {
            j.beginObject().field("name", u.name()).field("reason", u.reason()).endObject();
        }
        j.endArray();
        j.name("tree");
        JsonRenderer.render(tree, j);
        return j.endObject().toString();
    }

    static String formatName(Checkpoint ckpt) {
        return switch (ckpt.format()) {
            case ZIP -> "zip checkpoint (torch >= 1.6)";
            case TORCHSCRIPT -> "TorchScript archive";
            case LEGACY -> "legacy checkpoint (torch < 1.6 format)";
            case SAFETENSORS -> "safetensors file";
            case SHARDED_BIN -> "sharded Hugging Face folder of torch.save shards (pytorch_model.bin.index.json)";
            case SHARDED_SAFETENSORS -> "sharded Hugging Face folder of safetensors shards (model.safetensors.index.json)";
            case DCP -> "torch.distributed.checkpoint folder (.metadata + .distcp files)";
            case FOLDER_SAFETENSORS -> "Hugging Face folder with one model.safetensors (no index)";
            case FOLDER_BIN -> "Hugging Face folder with one torch.save pytorch_model.bin (no index)";
        };
    }
}
