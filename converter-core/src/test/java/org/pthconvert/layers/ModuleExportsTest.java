package org.pthconvert.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.pickle.reader.PickleHooks;

/**
 * Pins converter-core's module descriptor: the API packages are exported to everyone, nothing else
 * is exported or opened, and no class that answers the pickle interpreter (a {@link PickleHooks})
 * is public in an exported package. Changing the API is then a deliberate edit of this list.
 */
class ModuleExportsTest {
    static final Set<String> API = Set.of(
            "org.pthconvert.archive", "org.pthconvert.dtype", "org.pthconvert.errors", "org.pthconvert.io",
            "org.pthconvert.model", "org.pthconvert.pickle", "org.pthconvert.safety", "org.pthconvert.select",
            "org.pthconvert.tensor", "org.pthconvert.torch");

    static final Set<String> INTERNAL = Set.of(
            "org.pthconvert.pickle.reader", "org.pthconvert.torch.hooks", "org.pthconvert.inputs");

    private static ModuleDescriptor descriptor() {
        Module m = Checkpoint.class.getModule();
        // The build runs the tests patched into the module; on the class path there is nothing to check.
        assertTrue(m.isNamed(), "the tests must run on the module path, inside org.pthconvert.core");
        return m.getDescriptor();
    }

    @Test
    void exportsExactlyTheApiPackages() throws Exception {
        ModuleDescriptor d = descriptor();
        assertEquals("org.pthconvert.core", d.name());
        Set<String> exported = d.exports().stream().map(Exports::source).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(API), exported);
        assertTrue(d.exports().stream().noneMatch(Exports::isQualified), "no qualified exports: " + d.exports());
        assertTrue(d.opens().isEmpty(), "nothing is opened: " + d.opens());
        // The packages of the main classes (the running descriptor also counts the patched-in tests').
        Set<String> rest = new TreeSet<>(ClassRefs.packageGraph(ClassRefs.classesOf(Checkpoint.class)).keySet());
        assertTrue(rest.containsAll(API), "every API package exists: " + rest);
        rest.removeAll(API);
        assertEquals(new TreeSet<>(INTERNAL), rest, "a new package must be placed in API or INTERNAL");
    }

    @Test
    void noHookIsPublicInAnExportedPackage() throws Exception {
        Path classes = ClassRefs.classesOf(Checkpoint.class);
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(p -> p.toString().endsWith(".class") && !p.endsWith("module-info.class"))
                 .forEach(p -> names.add(classes.relativize(p).toString().replace('\\', '/')
                         .replaceAll("\\.class$", "").replace('/', '.')));
        }
        List<String> exposed = new ArrayList<>();
        int hooks = 0;
        for (String name : names) {
            Class<?> c = Class.forName(name, false, Checkpoint.class.getClassLoader());
            if (!PickleHooks.class.isAssignableFrom(c)) {
                continue;
            }
            hooks++;
            if (java.lang.reflect.Modifier.isPublic(c.getModifiers()) && API.contains(c.getPackageName())) {
                exposed.add(name);
            }
        }
        assertTrue(hooks >= 5, "the scan found the hooks (PickleHooks, DataOnlyHooks, TorchHooks, ...): " + hooks);
        assertEquals(List.of(), exposed);
    }
}
