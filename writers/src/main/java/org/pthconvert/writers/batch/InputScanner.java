package org.pthconvert.writers.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.pthconvert.errors.InvalidRequestException;

/**
 * Turns a batch's arguments into input files: a file is taken as it is (under its own name), a
 * folder is searched recursively for the patterns (names below it kept), {@code @list.txt} holds one
 * such argument a line ({@code #} comments, blank lines ignored).
 *
 * <p>Inside a folder, symbolic links are not followed unless asked: a link to a file inside the same
 * folder is taken, a link leading out of it, and a linked folder, are left out and said so. The
 * output folder, when it lies inside an input folder, is never searched (its outputs are not inputs).
 */
public final class InputScanner {

    /** What the arguments name. {@code ignored} says what was left out and why, one line each. */
    public record Scan(List<BatchInput> inputs, List<String> ignored) {
        public Scan {
            inputs = List.copyOf(inputs);
            ignored = List.copyOf(ignored);
        }
    }

    private final List<String> patterns;
    private final boolean followLinks;
    private final Path skipDir;

    /**
     * @param patterns    file name patterns for folders ({@link OutputNames#matches})
     * @param followLinks follow symbolic links anywhere inside input folders
     * @param skipDir     a folder never searched (the output folder), or null
     */
    public InputScanner(List<String> patterns, boolean followLinks, Path skipDir) {
        this.patterns = List.copyOf(patterns);
        this.followLinks = followLinks;
        this.skipDir = skipDir == null ? null : realOrAbsolute(skipDir);
    }

    /** @throws InvalidRequestException when an argument names nothing that exists, or a list cannot be read */
    public Scan scan(List<String> args) throws IOException {
        List<BatchInput> inputs = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("@")) {
                for (String entry : readList(Path.of(arg.substring(1)))) {
                    add(entry, arg, inputs, ignored);
                }
            } else {
                add(arg, arg, inputs, ignored);
            }
        }
        return new Scan(inputs, ignored);
    }

    private static List<String> readList(Path list) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(list, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidRequestException("@" + list + ": no such list file");
        }
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                out.add(s);
            }
        }
        return out;
    }

    private void add(String arg, String origin, List<BatchInput> inputs, List<String> ignored) throws IOException {
        Path p = Path.of(arg);
        if (Files.isDirectory(p)) {
            walk(p, origin, inputs, ignored);
        } else if (Files.isRegularFile(p)) {
            Path name = p.toAbsolutePath().normalize().getFileName();
            inputs.add(new BatchInput(p, name.toString(), origin));
        } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) {
            throw new InvalidRequestException(arg + ": a symbolic link to nothing");
        } else if (Files.exists(p)) {
            throw new InvalidRequestException(arg + ": neither a file nor a folder");
        } else {
            throw new InvalidRequestException(arg + ": no such file or folder");
        }
    }

    private void walk(Path root, String origin, List<BatchInput> inputs, List<String> ignored) throws IOException {
        Path realRoot = root.toRealPath();
        List<BatchInput> found = new ArrayList<>();
        Set<FileVisitOption> options = followLinks ? EnumSet.of(FileVisitOption.FOLLOW_LINKS)
                : EnumSet.noneOf(FileVisitOption.class);
        Files.walkFileTree(root, options, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (skipDir != null && realOrAbsolute(dir).equals(skipDir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isSymbolicLink()) {
                    Path target = realOrAbsolute(file);
                    if (Files.isDirectory(target)) {
                        ignored.add(file + ": a linked folder, not followed (links are followed only when asked)");
                        return FileVisitResult.CONTINUE;
                    }
                    if (!OutputNames.matches(file.getFileName().toString(), patterns)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (!Files.isRegularFile(target)) {
                        ignored.add(file + ": a symbolic link to no file");
                        return FileVisitResult.CONTINUE;
                    }
                    if (!target.startsWith(realRoot)) {
                        ignored.add(file + ": a symbolic link out of " + root + ", not followed (links are followed "
                                + "only when asked)");
                        return FileVisitResult.CONTINUE;
                    }
                } else if (!attrs.isRegularFile() || !OutputNames.matches(file.getFileName().toString(), patterns)) {
                    return FileVisitResult.CONTINUE;
                }
                found.add(new BatchInput(file, relative(root, file), origin));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof FileSystemLoopException) {
                    ignored.add(file + ": a symbolic link loop, not followed again");
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        found.sort(Comparator.comparing(BatchInput::relative));
        inputs.addAll(found);
    }

    private static String relative(Path root, Path file) {
        List<String> parts = new ArrayList<>();
        for (Path seg : root.relativize(file)) {
            parts.add(seg.toString());
        }
        return String.join("/", parts);
    }

    private static Path realOrAbsolute(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
