package org.pthconvert.writers.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.InvalidRequestException;

/**
 * Every input of a batch with its output, decided before any work: names mirrored under the
 * output root ({@link OutputNames}), clashes refused naming both inputs, outputs newer than their
 * input marked up to date (unless forced), largest inputs first so the tail of a parallel run is short.
 */
public final class BatchPlan {

    private final Path outDir;
    private final List<BatchItem> items;

    private BatchPlan(Path outDir, List<BatchItem> items) {
        this.outDir = outDir;
        this.items = List.copyOf(items);
    }

    /**
     * @param inputs    the inputs, in argument order
     * @param outDir    the output root
     * @param extension the writer's extension ({@code .safetensors})
     * @param directory the writer makes a folder per output
     * @param force     redo outputs that are up to date
     * @throws InvalidRequestException when two inputs would write one output (or one inside the other),
     *                                 or an output would be its own input
     */
    public static BatchPlan of(List<BatchInput> inputs, Path outDir, String extension, boolean directory,
                               boolean force) throws IOException {
        Path root = outDir;
        Map<String, BatchInput> byOutput = new HashMap<>();
        Map<String, Path> realOf = new HashMap<>();
        List<BatchInput> distinct = new ArrayList<>();
        for (BatchInput in : inputs) {
            String name = OutputNames.outputFor(in.relative(), extension, directory);
            BatchInput other = byOutput.get(name);
            Path real = in.file().toRealPath();
            if (other != null) {
                if (realOf.get(name).equals(real)) {
                    continue; // the same file named twice (by a folder and by name): one job
                }
                throw clash(other, in, root.resolve(name));
            }
            byOutput.put(name, in);
            realOf.put(name, real);
            distinct.add(in);
        }
        for (String name : byOutput.keySet()) {
            for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                BatchInput outer = byOutput.get(name.substring(0, slash));
                if (outer != null) {
                    throw new InvalidRequestException(outer.file() + " and " + byOutput.get(name).file()
                            + " clash: the output folder " + root.resolve(name.substring(0, slash))
                            + " of the first would hold the output of the second");
                }
            }
        }
        List<BatchItem> items = new ArrayList<>();
        for (BatchInput in : distinct) {
            String name = OutputNames.outputFor(in.relative(), extension, directory);
            Path out = resolve(root, name);
            Path abs = out.toAbsolutePath().normalize();
            if (abs.equals(realOf.get(name)) || abs.equals(in.file().toAbsolutePath().normalize())) {
                throw new InvalidRequestException(in.file() + ": its output would be the input itself; choose "
                        + "another output folder");
            }
            BasicFileAttributes ia = Files.readAttributes(in.file(), BasicFileAttributes.class);
            boolean upToDate = !force && newer(out, ia);
            items.add(new BatchItem(in, out, ia.size(), upToDate));
        }
        items.sort(Comparator.comparingLong(BatchItem::size).reversed()
                .thenComparing(i -> i.input().relative()));
        return new BatchPlan(root, items);
    }

    private static InvalidRequestException clash(BatchInput a, BatchInput b, Path out) {
        return new InvalidRequestException(a.file() + " and " + b.file() + " would both be written to " + out
                + "; convert them in separate batches or to separate output folders");
    }

    /** {@code root/name}, checked to stay inside {@code root} (the name is relative and never climbs). */
    static Path resolve(Path root, String name) {
        Path p = root;
        for (String seg : OutputNames.segments(name)) {
            p = p.resolve(seg);
        }
        Path absRoot = root.toAbsolutePath().normalize();
        Path abs = p.toAbsolutePath().normalize();
        if (!abs.startsWith(absRoot) || abs.equals(absRoot)) {
            throw new InvalidRequestException("'" + name + "' does not name a path inside " + root);
        }
        return p;
    }

    private static boolean newer(Path out, BasicFileAttributes input) throws IOException {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        BasicFileAttributes oa = Files.readAttributes(out, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return oa.lastModifiedTime().compareTo(input.lastModifiedTime()) > 0;
    }

    public Path outDir() {
        return outDir;
    }

    /** Largest input first. */
    public List<BatchItem> items() {
        return items;
    }

    /** The items that need converting, largest first. */
    public List<BatchItem> toConvert() {
        return items.stream().filter(i -> !i.upToDate()).toList();
    }

    /** Sum of the sizes of the inputs to convert. */
    public long bytesToConvert() {
        long total = 0;
        for (BatchItem i : toConvert()) {
            total = Math.addExact(total, i.size());
        }
        return total;
    }
}
