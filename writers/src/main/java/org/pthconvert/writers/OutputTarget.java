package org.pthconvert.writers;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a {@link WriteSession} writes: temporaries that the conversion moves into place together
 * when the session has finished, or deletes together when it has not. A writer never renames
 * anything itself.
 */
public interface OutputTarget {

    /** The temporary for the main output: an empty file, or an empty directory for writers that write one. */
    Path main();

    /** The file name the main output will have ({@code model.onnx}). */
    String finalName();

    /**
     * A temporary for one more file that will appear as {@code fileName} beside the main output
     * ({@code model.onnx.data}), committed before the main output so that whoever sees the main
     * output sees its sidecars too.
     *
     * @throws IllegalArgumentException when {@code fileName} is not a plain file name, or is the
     *                                  main output's name or an earlier sidecar's
     */
    Path sidecar(String fileName) throws IOException;

    /**
     * Writes straight to {@code main} and puts sidecars beside it, with no temporaries: for tests and
     * for callers that manage atomicity themselves.
     */
    static OutputTarget direct(Path main) {
        return new OutputTarget() {
            @Override
            public Path main() {
                return main;
            }

            @Override
            public String finalName() {
                return main.getFileName().toString();
            }

            @Override
            public Path sidecar(String fileName) {
                if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\")
                        || fileName.equals(".") || fileName.equals("..")) {
                    throw new IllegalArgumentException("a sidecar needs a plain file name, not '" + fileName + "'");
                }
                return main.resolveSibling(fileName);
            }
        };
    }
}
