package org.pthconvert.spark;

import org.apache.hadoop.fs.Path;
import org.pthconvert.writers.TensorWriter;

/**
 * Where an input's outputs go: the input's path below the folder it was found under, mirrored below
 * {@code --out-dir}, with its extension replaced by the format's ({@code a/b.pth} to
 * {@code a/b.safetensors}), or without one for a format that writes a folder (shards).
 */
final class OutputNames {
    private OutputNames() {
    }

    static String mainName(String relative, TensorWriter writer, JobOptions options) {
        String file = relative.substring(relative.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        boolean folder = writer.writesDirectory(options.request(java.nio.file.Path.of(file),
                java.nio.file.Path.of(file)).options().writeOptions());
        return folder ? stem : stem + writer.extensions().get(0);
    }

    static Path folder(String outDir, String relative) {
        int slash = relative.lastIndexOf('/');
        return slash < 0 ? new Path(outDir) : new Path(outDir, relative.substring(0, slash));
    }
}
