package org.pthconvert.writers;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link OutputTarget} of one conversion: the main output and its sidecars, each an
 * {@link AtomicOutput} beside its destination. {@link #commit} moves the sidecars into place first
 * and the main output last, so a reader that finds the main output finds everything it refers to;
 * if the main output cannot be committed, the sidecars just committed are removed again. Closing
 * without a commit deletes every temporary.
 */
public final class OutputSet implements OutputTarget, Closeable {

    private final AtomicOutput main;
    private final boolean force;
    private final Map<String, AtomicOutput> sidecars = new LinkedHashMap<>();
    private boolean committed;

    private OutputSet(AtomicOutput main, boolean force) {
        this.main = main;
        this.force = force;
    }

    /** Checks {@code destination} and makes the main temporary (see {@link AtomicOutput#create}). */
    public static OutputSet create(Path destination, AtomicOutput.Kind kind, boolean force) throws IOException {
        return new OutputSet(AtomicOutput.create(destination, kind, force), force);
    }

    @Override
    public Path main() {
        return main.temp();
    }

    @Override
    public String finalName() {
        return main.destination().getFileName().toString();
    }

    /** Where the main output will be. */
    public Path destination() {
        return main.destination();
    }

    /** Every final path: the sidecars', then the main output's. */
    public List<Path> destinations() {
        List<Path> out = new ArrayList<>();
        for (AtomicOutput a : sidecars.values()) {
            out.add(a.destination());
        }
        out.add(main.destination());
        return out;
    }

    @Override
    public Path sidecar(String fileName) throws IOException {
        if (fileName.isEmpty() || fileName.equals(".") || fileName.equals("..") || fileName.contains("/")
                || fileName.contains("\\") || fileName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a sidecar needs a plain file name, not '" + fileName + "'");
        }
        if (fileName.equals(finalName()) || sidecars.containsKey(fileName)) {
            throw new IllegalArgumentException("output file '" + fileName + "' is already part of this output");
        }
        AtomicOutput a = AtomicOutput.create(main.destination().resolveSibling(fileName), AtomicOutput.Kind.FILE,
                force);
        sidecars.put(fileName, a);
        return a.temp();
    }

    /** Moves everything into place: sidecars first, the main output last. */
    public void commit(boolean sync) throws IOException {
        List<AtomicOutput> done = new ArrayList<>();
        try {
            for (AtomicOutput a : sidecars.values()) {
                a.commit(sync);
                done.add(a);
            }
            main.commit(sync);
            committed = true;
        } catch (IOException | RuntimeException e) {
            for (AtomicOutput a : done) {
                try {
                    Files.deleteIfExists(a.destination());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    public boolean committed() {
        return committed;
    }

    /** Deletes every temporary that was not committed. Idempotent. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (AtomicOutput a : sidecars.values()) {
            try {
                a.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        try {
            main.close();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
