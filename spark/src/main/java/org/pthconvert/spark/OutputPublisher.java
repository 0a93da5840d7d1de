package org.pthconvert.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Makes outputs appear on the target file system whole or not at all. Each output written on local
 * disk is copied to a hidden temporary name in its target folder ({@code .NAME.pthconvert-TAG.tmp},
 * TAG naming the application, the input's partition and the attempt, so two attempts never share one)
 * and then renamed to its name; on a local target the conversion already wrote into a temporary
 * folder beside the outputs, so the rename alone publishes. Sidecars go first and the main output last,
 * so a reader that sees the main output sees everything. The rename never replaces what another
 * attempt has published (identical bytes: the conversion is deterministic); it replaces an older
 * output only when the task decided to ({@code --force}, or the output is older than its input).
 */
final class OutputPublisher {
    /** Marks our temporaries; {@link #sweep} removes those of one application. */
    static final String TEMP_MARK = ".pthconvert-";

    private final FileSystem fs;
    private final FileContext fc;
    private final String tag;
    private final UploadHook hook;

    /** Called with the bytes uploaded so far: lets a test fail an upload halfway. */
    interface UploadHook {
        void uploaded(Path temp, long bytes, long total) throws IOException;

        UploadHook NONE = (t, b, n) -> { };
    }

    OutputPublisher(FileSystem fs, String tag, UploadHook hook) throws IOException {
        this.fs = fs;
        this.fc = FileContext.getFileContext(fs.getUri(), fs.getConf());
        this.tag = tag;
        this.hook = hook;
    }

    static String tempName(String name, String tag) {
        return "." + name + TEMP_MARK + tag + ".tmp";
    }

    /**
     * Publishes {@code outputs} (local files or folders, the main one last) into {@code folder}.
     *
     * @param replace delete an existing output of the same name first
     */
    void publish(List<java.nio.file.Path> outputs, Path folder, boolean replace) throws IOException {
        fs.mkdirs(folder);
        for (java.nio.file.Path local : outputs) {
            String name = local.getFileName().toString();
            Path temp = new Path(folder, tempName(name, tag));
            try {
                fs.delete(temp, true); // a leftover of this very attempt number from an earlier run
                upload(local, temp);
                commit(temp, new Path(folder, name), replace);
            } catch (IOException | RuntimeException | Error e) {
                deleteQuietly(temp);
                throw e;
            }
        }
    }

    /**
     * Publishes outputs the conversion wrote into a temporary folder inside {@code folder} (a local
     * target): the rename alone publishes, no copy.
     */
    void publishStaged(List<java.nio.file.Path> outputs, Path folder, boolean replace) throws IOException {
        for (java.nio.file.Path staged : outputs) {
            commit(fs.makeQualified(new Path(staged.toUri())), new Path(folder, staged.getFileName().toString()),
                    replace);
        }
    }

    private void upload(java.nio.file.Path local, Path temp) throws IOException {
        if (Files.isDirectory(local)) {
            fs.mkdirs(temp);
            try (Stream<java.nio.file.Path> files = Files.list(local)) {
                for (java.nio.file.Path f : files.sorted().toList()) {
                    upload(f, new Path(temp, f.getFileName().toString()));
                }
            }
            return;
        }
        long total = Files.size(local);
        byte[] buf = new byte[1 << 20];
        long done = 0;
        try (InputStream in = Files.newInputStream(local); OutputStream out = fs.create(temp, true)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                done += n;
                hook.uploaded(temp, done, total);
            }
        }
    }

    private void commit(Path temp, Path dest, boolean replace) throws IOException {
        if (replace) {
            fs.delete(dest, true);
        }
        try {
            fc.rename(temp, dest, Options.Rename.NONE);
        } catch (FileAlreadyExistsException e) {
            // Another attempt of this input published it first: the same bytes; ours is not needed.
            deleteQuietly(temp);
        }
    }

    private void deleteQuietly(Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException ignored) {
            // already failing with a better message; the driver's sweep removes it
        }
    }

    /**
     * Removes temporaries one application left in {@code folders} (an executor that died mid-upload
     * cannot clean up after itself). Run on the driver once every task has ended.
     */
    static int sweep(FileSystem fs, Iterable<Path> folders, String appTag) throws IOException {
        int removed = 0;
        for (Path folder : folders) {
            if (!fs.exists(folder)) {
                continue;
            }
            for (FileStatus s : fs.listStatus(folder)) {
                String n = s.getPath().getName();
                if (n.startsWith(".") && n.contains(TEMP_MARK + appTag) && n.endsWith(".tmp")) {
                    fs.delete(s.getPath(), true);
                    removed++;
                }
            }
        }
        return removed;
    }
}
