package org.pthconvert.writers;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * An output that appears whole or not at all. {@link #create} checks the destination and makes a
 * hidden temporary file or directory beside it (same folder, so the final rename is atomic);
 * a writer fills {@link #temp()}; {@link #commit} moves it over the destination. Closing without a
 * commit deletes the temporary (recursively), and so does a JVM shutdown (Ctrl-C) in between.
 *
 * <p>Without {@code force} an existing destination is refused at {@code create}, before any work,
 * and again at commit (a file is then linked into place, which fails rather than replaces if
 * something appeared meanwhile). With {@code force} a file replaces a file, and a directory
 * replaces a directory that holds only regular files; a file never replaces a directory nor the
 * other way round.
 */
public final class AtomicOutput implements Closeable {

    /** What the writer produces. */
    public enum Kind { FILE, DIRECTORY }

    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(new Cleanup(), "pthconvert-temp-cleanup"));
    }

    /** Deletes what is still pending at exit. A class, not a lambda: README, "Start-up". */
    private static final class Cleanup implements Runnable {
        @Override
        public void run() {
            for (Path p : PENDING) {
                try {
                    OutputFiles.deleteRecursively(p);
                } catch (IOException | RuntimeException e) {
                    // Shutting down: nothing better to do.
                }
            }
        }
    }

    private final Path destination;
    private final Path temp;
    private final Kind kind;
    private final boolean force;
    private boolean committed;
    private boolean closed;

    private AtomicOutput(Path destination, Path temp, Kind kind, boolean force) {
        this.destination = destination;
        this.temp = temp;
        this.kind = kind;
        this.force = force;
    }

    /**
     * Checks {@code destination} and creates the temporary beside it.
     *
     * @throws FileAlreadyExistsException when it exists and {@code force} is false, or exists as
     *                                    something {@code force} may not replace
     * @throws NoSuchFileException        when its folder does not exist
     */
    public static AtomicOutput create(Path destination, Kind kind, boolean force) throws IOException {
        Path dest = destination.toAbsolutePath().normalize();
        Path parent = dest.getParent();
        if (parent == null || dest.getFileName() == null) {
            throw new FileSystemException(destination.toString(), null, "not a path an output can be written to");
        }
        if (!Files.isDirectory(parent)) {
            throw new NoSuchFileException(parent.toString(), null, "output folder does not exist");
        }
        checkReplaceable(dest, kind, force);
        Path temp = createTemp(parent, dest.getFileName().toString(), kind);
        PENDING.add(temp);
        return new AtomicOutput(dest, temp, kind, force);
    }

    /** Where the writer writes: an empty file or an empty directory. */
    public Path temp() { return temp; }

    /** Where the output will be after {@link #commit}. */
    public Path destination() { return destination; }

    public Kind kind() { return kind; }

    /**
     * Moves the finished temporary over the destination.
     *
     * @param sync fsync the data and the folders first and after, so the result survives a crash
     */
    public void commit(boolean sync) throws IOException {
        if (committed || closed) {
            throw new IllegalStateException("output " + destination + " already " + (committed ? "committed" : "closed"));
        }
        if (sync) {
            syncTree(temp);
        }
        checkReplaceable(destination, kind, force);
        if (kind == Kind.FILE) {
            commitFile();
        } else {
            commitDirectory(Files.exists(destination, LinkOption.NOFOLLOW_LINKS));
        }
        committed = true;
        PENDING.remove(temp);
        if (sync) {
            syncDirectory(destination.getParent());
        }
    }

    /** Deletes the temporary unless committed. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            try {
                OutputFiles.deleteRecursively(temp);
            } finally {
                PENDING.remove(temp);
            }
        }
    }

    private void commitFile() throws IOException {
        if (!force) {
            // A hard link fails if the name was taken meanwhile, where rename would replace it.
            try {
                Files.createLink(destination, temp);
                Files.delete(temp);
                return;
            } catch (FileAlreadyExistsException e) {
                throw refusal(destination);
            } catch (UnsupportedOperationException | IOException e) {
                if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
                    throw refusal(destination);
                }
                // No hard links here (some network and FAT file systems): rename instead.
            }
        }
        Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE);
    }

    private void commitDirectory(boolean exists) throws IOException {
        if (!exists) {
            Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        // Rename cannot replace a non-empty directory: move the old one aside first.
        Path aside = createName(destination.getParent(), destination.getFileName() + ".old");
        Files.move(destination, aside, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.move(aside, destination, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        OutputFiles.deleteRecursively(aside);
    }

    private static void checkReplaceable(Path dest, Kind kind, boolean force) throws IOException {
        if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!force) {
            throw refusal(dest);
        }
        BasicFileAttributes attrs = Files.readAttributes(dest, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (kind == Kind.FILE && attrs.isDirectory()) {
            throw new FileAlreadyExistsException(dest.toString(), null, "is a directory; --force replaces files only");
        }
        if (kind == Kind.DIRECTORY) {
            if (!attrs.isDirectory()) {
                throw new FileAlreadyExistsException(dest.toString(), null,
                        "exists and is not a directory; sharded output needs a directory");
            }
            try (Stream<Path> children = Files.list(dest)) {
                if (children.anyMatch(p -> !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))) {
                    throw new DirectoryNotEmptyException(dest + ": holds more than files; not replacing it");
                }
            }
        }
    }

    private static FileAlreadyExistsException refusal(Path dest) {
        return new FileAlreadyExistsException(dest.toString(), null, "already exists (use --force to replace it)");
    }

    private static Path createTemp(Path parent, String name, Kind kind) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = createName(parent, name);
            try {
                return kind == Kind.FILE ? Files.createFile(p) : Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    /** {@code .name.1a2b3c4d5e6f.tmp} beside the destination: hidden, unique, same file system. */
    private static Path createName(Path parent, String name) {
        // Uniqueness comes from creating the file exclusively (createTemp retries a name taken), not from
        // the randomness: ThreadLocalRandom, because seeding a SecureRandom costs 40-160 ms of start-up.
        long r = ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL;
        return parent.resolve("." + name + "." + HexFormat.of().toHexDigits(r).substring(4) + ".tmp");
    }

    private static void syncTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(p)) {
                for (Path c : (Iterable<Path>) children::iterator) {
                    syncTree(c);
                }
            }
            syncDirectory(p);
        } else {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    /** fsync of a directory entry list; where the platform cannot (Windows), skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not supported on every platform; the data itself was synced.
        }
    }
}
