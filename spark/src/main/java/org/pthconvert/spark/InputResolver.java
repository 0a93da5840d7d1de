package org.pthconvert.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.pthconvert.errors.InvalidRequestException;

/**
 * Turns the job's INPUT arguments into the list of checkpoints, on the driver, through Hadoop's
 * {@link FileSystem} (so any scheme the cluster knows works): a file is taken as it is, a directory
 * recursively (files matching {@code --pattern}), a glob by what it matches, an {@code @manifest} by
 * its lines. Each input keeps its path below the folder it was found under, for the output tree.
 * The list comes back largest first, so that the last tasks to start are the short ones.
 */
final class InputResolver {
    /** Bounds a manifest's nesting: {@code @a} listing {@code @b} listing {@code @a} must end. */
    private static final int MAX_MANIFEST_DEPTH = 8;

    private final JobOptions options;
    private final Configuration conf;
    private final Map<String, Input> found = new LinkedHashMap<>();

    private InputResolver(JobOptions options, Configuration conf) {
        this.options = options;
        this.conf = conf;
    }

    /**
     * @throws InvalidRequestException for an input that does not exist or a glob matching nothing
     */
    static List<Input> resolve(JobOptions options, Configuration conf) throws IOException {
        InputResolver r = new InputResolver(options, conf);
        for (String arg : options.inputs()) {
            r.add(arg, 0);
        }
        List<Input> all = new ArrayList<>(r.found.values());
        all.sort(Comparator.comparingLong(Input::size).reversed().thenComparing(Input::uri));
        return all;
    }

    private void add(String arg, int depth) throws IOException {
        if (arg.startsWith("@")) {
            if (depth >= MAX_MANIFEST_DEPTH) {
                throw new InvalidRequestException(arg + ": manifests nested more than " + MAX_MANIFEST_DEPTH
                        + " deep");
            }
            for (String line : manifest(arg.substring(1))) {
                add(line, depth + 1);
            }
            return;
        }
        Path path = new Path(arg);
        FileSystem fs = path.getFileSystem(conf);
        if (isGlob(arg)) {
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) {
                throw new InvalidRequestException(arg + ": the pattern matches no file");
            }
            Path base = fs.makeQualified(staticPrefix(path));
            for (FileStatus s : matches) {
                if (s.isDirectory()) {
                    walk(fs, s.getPath(), base);
                } else {
                    take(s, base);
                }
            }
            return;
        }
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (java.io.FileNotFoundException e) {
            throw new InvalidRequestException(arg + ": no such file or directory");
        }
        if (status.isDirectory()) {
            walk(fs, status.getPath(), status.getPath());
        } else {
            take(status, status.getPath().getParent());
        }
    }

    private void walk(FileSystem fs, Path dir, Path base) throws IOException {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus s = it.next();
            String rel = relative(s.getPath(), base);
            if (s.isFile() && !hidden(rel) && options.takes(rel)) {
                take(s, base);
            }
        }
    }

    private void take(FileStatus s, Path base) {
        String uri = s.getPath().toString();
        found.putIfAbsent(uri, new Input(uri, relative(s.getPath(), base), s.getLen(), s.getModificationTime()));
    }

    /** Our own temporaries and the cluster's (_SUCCESS, .crc) are never inputs. */
    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith(".") || part.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    static String relative(Path file, Path base) {
        String f = file.toUri().getPath();
        String b = base.toUri().getPath();
        if (!b.endsWith("/")) {
            b = b + "/";
        }
        return f.startsWith(b) ? f.substring(b.length()) : file.getName();
    }

    private List<String> manifest(String where) throws IOException {
        Path path = new Path(where);
        FileSystem fs = path.getFileSystem(conf);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(path), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    lines.add(t);
                }
            }
        } catch (java.io.FileNotFoundException e) {
            throw new InvalidRequestException("@" + where + ": no such manifest");
        }
        return lines;
    }

    private static boolean isGlob(String arg) {
        return arg.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** The folders of a glob before its first wildcard: what a match's output path is relative to. */
    private static Path staticPrefix(Path glob) {
        Path p = glob;
        while (p != null && isGlob(p.toUri().getPath())) {
            p = p.getParent();
        }
        return p == null ? new Path("/") : p;
    }
}
