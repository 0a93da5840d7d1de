package org.pthconvert.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriterOption;
import org.pthconvert.writers.Writers;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The flags writers declare ({@link TensorWriter#options()}), added to a command's model at start-up
 * so {@code --help} lists whatever writers are installed, and read back into {@link WriteOptions}
 * together with {@code -O key=value} pairs, each checked against its type before any work.
 */
final class WriterFlags {

    private WriterFlags() {
    }

    /** Adds one option per distinct flag of every installed writer. */
    static void addTo(CommandSpec spec, Writers writers) {
        Map<String, WriterOption> byFlag = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        for (TensorWriter w : writers.all()) {
            for (WriterOption o : w.options()) {
                WriterOption known = byFlag.putIfAbsent(o.flag(), o);
                owners.merge(o.flag(), w.name(), (a, b) -> a + ", " + b);
                if (known != null && (!known.key().equals(o.key()) || known.type() != o.type())) {
                    throw new IllegalStateException("writers declare " + o.flag() + " differently: "
                            + known + " and " + o);
                }
            }
        }
        for (WriterOption o : byFlag.values()) {
            if (spec.findOption(o.flag()) != null) {
                throw new IllegalStateException("writer option " + o.flag() + " clashes with a command option");
            }
            OptionSpec.Builder b = OptionSpec.builder(o.flag())
                    .description(owners.get(o.flag()) + ": " + o.help() + " (-O " + o.key() + "=...)");
            if (o.type() == WriterOption.Type.FLAG) {
                b.type(boolean.class).arity("0");
            } else {
                b.type(String.class).paramLabel(switch (o.type()) {
                    case SIZE -> "SIZE";
                    case INT -> "N";
                    default -> "VALUE";
                });
            }
            spec.addOption(b.build());
        }
    }

    /**
     * The writer's settings from its flags and from {@code -O} pairs (a pair wins over a flag).
     *
     * @throws InvalidRequestException for a flag or key the chosen writer does not take, or a bad value
     */
    static Map<String, String> values(CommandSpec spec, Writers writers, TensorWriter writer, List<String> pairs) {
        Map<String, WriterOption> mine = new LinkedHashMap<>();
        for (WriterOption o : writer.options()) {
            mine.put(o.key(), o);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (OptionSpec opt : spec.options()) {
            WriterOption declared = declaredBy(writers, opt.longestName());
            if (declared == null || !spec.commandLine().getParseResult().hasMatchedOption(opt)) {
                continue;
            }
            WriterOption o = mine.get(declared.key());
            if (o == null) {
                throw new InvalidRequestException(opt.longestName() + " is not an option of the " + writer.name()
                        + " writer");
            }
            Object v = opt.getValue();
            out.put(o.key(), o.normalize(v == null ? "" : v.toString()));
        }
        for (String kv : pairs) {
            int eq = kv.indexOf('=');
            String key = eq < 0 ? kv : kv.substring(0, eq);
            WriterOption o = mine.get(key);
            if (o == null) {
                throw new InvalidRequestException("-O " + key + ": the " + writer.name() + " writer takes "
                        + (mine.isEmpty() ? "no options" : String.join(", ", mine.keySet())));
            }
            if (eq < 0 && o.type() != WriterOption.Type.FLAG) {
                throw new InvalidRequestException("-O " + key + " needs a value: -O " + key + "=...");
            }
            out.put(key, o.normalize(eq < 0 ? "true" : kv.substring(eq + 1)));
        }
        return out;
    }

    private static WriterOption declaredBy(Writers writers, String flag) {
        for (TensorWriter w : writers.all()) {
            for (WriterOption o : w.options()) {
                if (o.flag().equals(flag)) {
                    return o;
                }
            }
        }
        return null;
    }

    /**
     * Lists the installed formats (then {@code moreLines}) in a command's description and adds every
     * writer's own flags: what {@code convert} and {@code batch} do at start-up.
     */
    static void describeAndAdd(CommandSpec spec, String... moreLines) {
        Writers writers = Writers.standard();
        List<String> description = new ArrayList<>(List.of(spec.usageMessage().description()));
        description.addAll(List.of(formatLines(writers)));
        description.addAll(List.of(moreLines));
        description.add("");
        spec.usageMessage().description(description.toArray(String[]::new));
        addTo(spec, writers);
    }

    /** The lines of {@code --help} that list the installed formats. */
    static String[] formatLines(Writers writers) {
        return writers.all().stream()
                .map(w -> String.format("  %-26s %s", w.name() + " (" + String.join(", ", w.extensions()) + ")",
                        w.describe()))
                .toArray(String[]::new);
    }
}
