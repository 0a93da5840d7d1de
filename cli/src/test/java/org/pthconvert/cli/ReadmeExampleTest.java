package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.testdata.Fixtures;

/** The Java example in README.md compiles against the library and converts the sample checkpoint. */
class ReadmeExampleTest {

    @TempDir
    Path dir;

    @Test
    void readmeExampleCompilesAndConverts() throws Exception {
        Path readme = Fixtures.root().getParent().getParent().resolve("README.md");
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(readme, StandardCharsets.UTF_8));
        assertTrue(m.find(), "README.md has a ```java block");
        Path src = dir.resolve("ConvertExample.java");
        Files.writeString(src, m.group(1));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("-d", dir.toString(),
                "-cp", System.getProperty("java.class.path")));
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null) {
            // The tests run on the module path: the example, a class-path program, then sees only
            // what the library modules export, as a user's program would.
            args.addAll(List.of("--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH"));
        }
        args.add(src.toString());
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertEquals(0, rc, "README example does not compile:\n" + diagnostics);

        Path out = dir.resolve("sample.safetensors");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                getClass().getClassLoader())) {
            Method main = loader.loadClass("ConvertExample").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {Fixtures.file("sample.pth").toString(), out.toString()});
        } finally {
            System.setOut(old);
        }
        int expected = Fixtures.manifest("sample.pth", Fixtures.SELECT_AUTO).size();
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith(expected + " tensors"), printed.toString());
        List<String> names = SafetensorsFile.read(out).names();
        assertEquals(expected, names.size());
    }
}
