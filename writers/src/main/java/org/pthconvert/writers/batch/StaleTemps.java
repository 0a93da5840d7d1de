package org.pthconvert.writers.batch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.pthconvert.writers.OutputFiles;

/**
 * Removes the temporaries a killed run left beside an output ({@code .a.safetensors.1a2b3c4d5e6f.tmp},
 * and sidecars' {@code .a.onnx.data.<hex>.tmp}): a clean shutdown deletes them itself, a SIGKILL or
 * power loss cannot. Only safe when no other process writes the same outputs, which the caller
 * guarantees (the command line holds {@link OutDirLock}).
 */
public final class StaleTemps {

    private StaleTemps() {
    }

    /** True for {@code .<output>.<...>.<12 hex>.tmp}. */
    static boolean isTempOf(String candidate, String outputName) {
        String prefix = "." + outputName + ".";
        if (!candidate.startsWith(prefix) || !candidate.endsWith(".tmp")) {
            return false;
        }
        String body = candidate.substring(0, candidate.length() - 4);
        int dot = body.lastIndexOf('.');
        if (dot < prefix.length() - 1) {
            return false;
        }
        String hex = body.substring(dot + 1);
        return hex.length() == 12 && hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** Deletes the temporaries of {@code output} in its folder; returns how many. */
    public static int clean(Path output) throws IOException {
        Path dir = output.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        String name = output.getFileName().toString();
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "." + globSafe(name) + ".*.tmp")) {
            for (Path p : ds) {
                if (isTempOf(p.getFileName().toString(), name)) {
                    OutputFiles.deleteRecursively(p);
                    n++;
                }
            }
        }
        return n;
    }

    private static String globSafe(String name) {
        return name.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }
}
