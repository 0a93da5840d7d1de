package org.pthconvert.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Opt;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.WriteOptions;
import org.pthconvert.writers.WriterOption;
import org.pthconvert.writers.Writers;

/**
 * The flags writers declare ({@link TensorWriter#options()}), added to a command's option table at
 * start-up so {@code --help} lists whatever writers are installed, and read back into {@link WriteOptions}
 * together with {@code -O key=value} pairs, each checked against its type before any work.
 */
final class WriterFlags {

    private WriterFlags() {
    }

    /** One option per distinct flag of every installed writer, for a command's table. */
    static List<Opt> options(Writers writers) {
        Map<String, WriterOption> byFlag = byFlag(writers);
        Map<String, String> owners = new LinkedHashMap<>();
        for (TensorWriter w : writers.all()) {
            for (WriterOption o : w.options()) {
                String known = owners.get(o.flag());
                owners.put(o.flag(), known == null ? w.name() : known + ", " + w.name());
            }
        }
        List<Opt> out = new ArrayList<>();
        for (WriterOption o : byFlag.values()) {
            String help = owners.get(o.flag()) + ": " + o.help() + " (-O " + o.key() + "=...)";
            out.add(o.type() == WriterOption.Type.FLAG ? Opt.flag(o.flag(), help)
                    : Opt.value(o.flag(), switch (o.type()) {
                        case SIZE -> "SIZE";
                        case INT -> "N";
                        default -> "VALUE";
                    }, help));
        }
        return out;
    }

    /** Every distinct flag, in the writers' order; two writers must declare a shared flag alike. */
    private static Map<String, WriterOption> byFlag(Writers writers) {
        Map<String, WriterOption> byFlag = new LinkedHashMap<>();
        for (TensorWriter w : writers.all()) {
            for (WriterOption o : w.options()) {
                WriterOption known = byFlag.putIfAbsent(o.flag(), o);
                if (known != null && (!known.key().equals(o.key()) || known.type() != o.type())) {
                    throw new IllegalStateException("writers declare " + o.flag() + " differently: "
                            + known + " and " + o);
                }
            }
        }
        return byFlag;
    }

    /**
     * The writer's settings from its flags and from {@code -O} pairs (a pair wins over a flag).
     *
     * @param writers the writers whose flags the command's table holds
     * @throws InvalidRequestException for a flag or key the chosen writer does not take, or a bad value
     */
    static Map<String, String> values(Args args, Writers writers, TensorWriter writer, List<String> pairs) {
        Map<String, WriterOption> mine = new LinkedHashMap<>();
        for (WriterOption o : writer.options()) {
            mine.put(o.key(), o);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (WriterOption declared : byFlag(writers).values()) {
            if (!args.given(declared.flag())) {
                continue;
            }
            WriterOption o = mine.get(declared.key());
            if (o == null) {
                throw new InvalidRequestException(declared.flag() + " is not an option of the " + writer.name()
                        + " writer");
            }
            String v = o.type() == WriterOption.Type.FLAG ? String.valueOf(args.flag(o.flag()))
                    : args.string(o.flag());
            out.put(o.key(), o.normalize(v));
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

    /** The lines of {@code --help} that list the installed formats, then {@code moreLines}. */
    static List<String> describe(Writers writers, String first, String... moreLines) {
        List<String> lines = new ArrayList<>();
        lines.add(first);
        for (TensorWriter w : writers.all()) {
            String name = w.name() + " (" + String.join(", ", w.extensions()) + ")";
            lines.add("  " + name + " ".repeat(Math.max(1, 27 - name.length())) + w.describe());
        }
        lines.addAll(List.of(moreLines));
        return lines;
    }
}
