package org.pthconvert.writers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import org.pthconvert.writers.hdf5.Hdf5Writer;
import org.pthconvert.writers.npz.NpzWriter;
import org.pthconvert.writers.onnx.OnnxWriter;
import org.pthconvert.writers.pth.PthWriter;
import org.pthconvert.writers.safetensors.SafetensorsWriter;

/**
 * Writers by name and by file extension: this module's own ({@link #standard}), or those a class
 * loader lists as {@link ServiceLoader} services, plug-ins included ({@link #load}). The first writer
 * with a given name wins; later ones with the same name are ignored. A miss says what was asked for
 * and what exists.
 */
public final class Writers {

    private static volatile Writers standard;

    private final Map<String, TensorWriter> byName;

    private Writers(List<? extends TensorWriter> writers) {
        Map<String, TensorWriter> m = new LinkedHashMap<>();
        for (TensorWriter w : writers) {
            m.putIfAbsent(w.name().toLowerCase(Locale.ROOT), w);
        }
        this.byName = m;
    }

    /**
     * This module's writers, in the order of its service file (which {@code WritersTest} pins to this
     * list): made directly, not looked up. Finding them through {@link ServiceLoader} searched the
     * class path, opened the jar and read the service file reflectively, 20 ms of every
     * {@code convert} and {@code strip} (wall-clock profile; {@code convert} of a small file took
     * 0.14 s instead of 0.16 s, 15 interleaved runs). The command line's class path is the one jar,
     * whose writers are these; a library that adds plug-ins uses {@link #load}.
     */
    public static Writers standard() {
        Writers s = standard;
        if (s == null) {
            s = new Writers(List.of(new SafetensorsWriter(), new NpzWriter(), new Hdf5Writer(), new PthWriter(),
                    new OnnxWriter()));
            standard = s;
        }
        return s;
    }

    /** The writers {@code loader} lists as services: the built-ins and any plug-in on its path. */
    public static Writers load(ClassLoader loader) {
        List<TensorWriter> all = new ArrayList<>();
        ServiceLoader<TensorWriter> services = ServiceLoader.load(TensorWriter.class, loader);
        for (var it = services.iterator(); it.hasNext(); ) {
            try {
                all.add(it.next());
            } catch (ServiceConfigurationError e) {
                // A broken plug-in must not take the built-ins down with it.
                System.err.println("pthconvert: ignoring a writer plug-in: " + e.getMessage());
            }
        }
        return new Writers(all);
    }

    /** Exactly these writers, in this order (for tests and embedding). */
    public static Writers of(List<? extends TensorWriter> writers) {
        return new Writers(List.copyOf(writers));
    }

    public List<TensorWriter> all() {
        return List.copyOf(byName.values());
    }

    public Optional<TensorWriter> find(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The writer called {@code name} (any case). */
    public TensorWriter byName(String name) {
        TensorWriter w = byName.get(name.toLowerCase(Locale.ROOT)); // not orElseThrow(lambda): README, "Start-up"
        if (w == null) {
            throw new NoSuchWriterException("no writer named '" + name + "'; known: " + known(), name, known());
        }
        return w;
    }

    /**
     * The writer whose extension ends the file name (any case; the longest match wins, so
     * {@code .tar.gz} beats {@code .gz}).
     */
    public TensorWriter forPath(Path path) {
        Path file = path.getFileName();
        String name = file == null ? "" : file.toString().toLowerCase(Locale.ROOT);
        TensorWriter best = null;
        int bestLength = 0;
        for (TensorWriter w : byName.values()) {
            for (String ext : w.extensions()) {
                String e = ext.toLowerCase(Locale.ROOT);
                if (name.endsWith(e) && name.length() > e.length() && e.length() > bestLength) {
                    best = w;
                    bestLength = e.length();
                }
            }
        }
        if (best != null) {
            return best;
        }
        int dot = name.lastIndexOf('.');
        String asked = dot > 0 ? name.substring(dot) : path.toString();
        String what = dot > 0 ? "'" + asked + "'" : "'" + path + "' (no extension; name a format)";
        throw new NoSuchWriterException("no writer for " + what + "; known: " + known(), asked, known());
    }

    /** {@code safetensors (.safetensors), npz (.npz)}. */
    public String known() {
        return byName.values().stream()
                .map(w -> w.name() + " (" + String.join(", ", w.extensions()) + ")")
                .collect(Collectors.joining(", "));
    }
}
