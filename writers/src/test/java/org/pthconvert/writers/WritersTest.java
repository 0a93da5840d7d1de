package org.pthconvert.writers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.pthconvert.writers.hdf5.Hdf5Writer;
import org.pthconvert.writers.npz.NpzWriter;
import org.pthconvert.writers.safetensors.SafetensorsWriter;

class WritersTest {

    private final Writers writers = Writers.standard();

    @Test
    void builtInsAreFoundByNameAndExtension() {
        // more writers may follow the first two (every format is one service entry)
        assertEquals(List.of("safetensors", "npz"), writers.all().stream().map(TensorWriter::name).limit(2)
                .collect(Collectors.toList()));
        assertTrue(writers.byName("NPZ") instanceof NpzWriter);
        assertTrue(writers.forPath(Path.of("out/model.safetensors")) instanceof SafetensorsWriter);
        assertTrue(writers.forPath(Path.of("W.NPZ")) instanceof NpzWriter);
        assertTrue(writers.forPath(Path.of("w.hdf5")) instanceof Hdf5Writer);
        assertTrue(writers.forPath(Path.of("w.h5")) instanceof Hdf5Writer);
    }

    @Test
    void aMissSaysWhatWasAskedAndWhatExists() {
        NoSuchWriterException e = assertThrows(NoSuchWriterException.class, () -> writers.forPath(Path.of("m.xyz")));
        assertTrue(e.getMessage().startsWith("no writer for '.xyz'; known: safetensors (.safetensors), npz (.npz)"),
                e.getMessage());
        assertEquals(".xyz", e.asked());
        e = assertThrows(NoSuchWriterException.class, () -> writers.byName("xyz"));
        assertTrue(e.getMessage().startsWith("no writer named 'xyz'; known: safetensors (.safetensors), npz (.npz)"),
                e.getMessage());
        e = assertThrows(NoSuchWriterException.class, () -> writers.forPath(Path.of("outdir")));
        assertTrue(e.getMessage().startsWith("no writer for 'outdir' (no extension"), e.getMessage());
        assertThrows(NoSuchWriterException.class, () -> writers.forPath(Path.of(".npz")));
    }

    @Test
    void bothBuiltInsAreServices() {
        List<String> services = ServiceLoader.load(TensorWriter.class).stream()
                .map(p -> p.type().getSimpleName()).collect(Collectors.toList());
        assertEquals(List.of("SafetensorsWriter", "NpzWriter"), services.subList(0, 2));
    }

    @Test
    void theBuiltInsAreTheServicesInTheirOrder() {
        // standard() makes the built-ins itself; a format added to the service file (or module
        // descriptor) but not to that list, or listed in another order, would go unnoticed otherwise.
        List<Class<?>> services = ServiceLoader.load(TensorWriter.class).stream()
                .map(ServiceLoader.Provider::type).collect(Collectors.toList());
        List<Class<?>> standard = writers.all().stream().map(Object::getClass).collect(Collectors.toList());
        assertEquals(services, standard);
        assertEquals(standard, Writers.load(TensorWriter.class.getClassLoader()).all().stream()
                .map(Object::getClass).collect(Collectors.toList()));
        assertEquals(5, standard.size());
    }

    @Test
    void theFirstWriterWithANameWins() {
        TensorWriter npz = new NpzWriter();
        TensorWriter fake = new TensorWriter() {
            @Override public String name() { return "NPZ"; }
            @Override public List<String> extensions() { return List.of(".fake"); }
            @Override public String describe() { return "a second npz"; }
            @Override public java.util.Optional<String> refuse(org.pthconvert.tensor.TensorSpec s, WriteOptions o) {
                return java.util.Optional.empty();
            }
            @Override public WriteSession open(OutputTarget target, WriteOptions opts) { throw new UnsupportedOperationException(); }
        };
        Writers w = Writers.of(List.of(npz, fake));
        assertEquals(1, w.all().size());
        assertThrows(NoSuchWriterException.class, () -> w.forPath(Path.of("a.fake")));
    }
}
