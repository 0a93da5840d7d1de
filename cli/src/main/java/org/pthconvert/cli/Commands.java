package org.pthconvert.cli;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import picocli.CommandLine.Model.CommandSpec;

/**
 * Every subcommand, once: its name, how to make it, and the line {@code pthconvert --help} shows.
 * A new command is one line here.
 */
final class Commands {

    /**
     * @param configure adds what annotations cannot know at compile time (the installed writers' flags)
     */
    record Entry(String name, Supplier<Object> factory, String summary, Consumer<CommandSpec> configure) {
        Entry(String name, Supplier<Object> factory, String summary) {
            this(name, factory, summary, spec -> { });
        }
    }

    static final List<Entry> ALL = List.of(
            new Entry("convert", ConvertCommand::new, "Convert a checkpoint's tensors to another format.",
                    ConvertCommand::configure),
            new Entry("strip", StripCommand::new, "Keep only the model weights, as the weights-only .pth "
                    + "torch.load(weights_only=True) reads.", StripCommand::configure),
            new Entry("inspect", InspectCommand::new, "Show what a checkpoint holds, before trusting it."),
            new Entry("scan", ScanCommand::new, "Say whether files would run code under torch.load."));

    private Commands() {
    }

    static Entry find(String name) {
        for (Entry e : ALL) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    static String names() {
        return String.join(", ", ALL.stream().map(Entry::name).toList());
    }
}
