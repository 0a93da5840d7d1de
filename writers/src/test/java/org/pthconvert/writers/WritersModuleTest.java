package org.pthconvert.writers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Provides;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Pins the writers module's descriptor: it exports the SPI, the conversion service and batch only
 * (each format's package stays closed), and the writers it provides are exactly the ones listed in
 * META-INF/services, which the shaded jar uses on the class path.
 */
class WritersModuleTest {

    private static ModuleDescriptor descriptor() {
        Module m = TensorWriter.class.getModule();
        assertTrue(m.isNamed(), "the tests must run on the module path, inside org.pthconvert.writers");
        return m.getDescriptor();
    }

    @Test
    void exportsTheSpiServiceAndBatchOnly() {
        ModuleDescriptor d = descriptor();
        assertEquals("org.pthconvert.writers", d.name());
        Set<String> exported = d.exports().stream().map(Exports::source).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("org.pthconvert.writers", "org.pthconvert.writers.batch",
                "org.pthconvert.writers.service")), exported);
        assertTrue(d.exports().stream().noneMatch(Exports::isQualified), d.exports().toString());
        assertTrue(d.uses().contains(TensorWriter.class.getName()));
    }

    @Test
    void providesWhatTheServicesFileLists() throws Exception {
        Set<String> provided = descriptor().provides().stream()
                .filter(p -> p.service().equals(TensorWriter.class.getName()))
                .map(Provides::providers).flatMap(java.util.List::stream)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> listed = new TreeSet<>();
        try (InputStream in = TensorWriter.class.getModule()
                .getResourceAsStream("META-INF/services/" + TensorWriter.class.getName());
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(listed::add);
        }
        assertEquals(5, listed.size(), listed.toString());
        assertEquals(listed, provided);
    }
}
