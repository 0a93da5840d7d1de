package org.pthconvert.layers;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Which packages the compiled classes of a module refer to, read from their constant pools (class
 * names and type descriptors), so layering is checked by a plain test instead of an external jdeps.
 */
final class ClassRefs {
    private static final String ROOT = "org/pthconvert/";

    private ClassRefs() {
    }

    /** The folder (or jar) {@code anchor} was loaded from: the module's compiled main classes. */
    static Path classesOf(Class<?> anchor) {
        try {
            return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For each org.pthconvert package under {@code classes}: the other org.pthconvert packages its classes name. */
    static Map<String, Set<String>> packageGraph(Path classes) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String rel = classes.relativize(f).toString().replace('\\', '/');
                if (!rel.startsWith(ROOT)) {
                    continue; // module-info.class
                }
                String pkg = packageOf(rel);
                Set<String> out = graph.computeIfAbsent(pkg, k -> new HashSet<>());
                for (String ref : referencedPackages(Files.readAllBytes(f))) {
                    if (!ref.equals(pkg)) {
                        out.add(ref);
                    }
                }
            }
        }
        return graph;
    }

    private static String packageOf(String internalName) {
        return internalName.substring(0, internalName.lastIndexOf('/')).replace('/', '.');
    }

    /** org.pthconvert packages named anywhere in a class file's UTF-8 constants. */
    static Set<String> referencedPackages(byte[] classFile) {
        Set<String> out = new HashSet<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> collect(in.readUTF(), out);
                    case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 15 -> { in.readUnsignedByte(); in.readUnsignedShort(); }
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 5, 6 -> { in.readLong(); i++; }
                    default -> throw new IllegalArgumentException("constant pool tag " + tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every {@code org/pthconvert/.../Name} in a class name or descriptor. */
    private static void collect(String utf8, Set<String> out) {
        int at = utf8.indexOf(ROOT);
        while (at >= 0) {
            int end = at;
            while (end < utf8.length() && ";<>()[".indexOf(utf8.charAt(end)) < 0) {
                end++;
            }
            String name = utf8.substring(at, end);
            if (name.indexOf('/', ROOT.length()) > 0) {
                out.add(packageOf(name));
            }
            at = utf8.indexOf(ROOT, end);
        }
    }
}
