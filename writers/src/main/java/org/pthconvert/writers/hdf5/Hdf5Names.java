package org.pthconvert.writers.hdf5;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.pthconvert.writers.CodePoints;

/**
 * Where each tensor name goes in the file. By default a dotted name becomes groups and a dataset
 * ({@code a.b.c} at {@code /a/b/c}); with {@code flat}, the whole name is one link in the root group.
 * A name that cannot be such a path (an empty segment, a '/' or NUL inside a segment, a segment
 * that is also a dataset such as {@code a.b} beside {@code a.b.c}, {@code .} or {@code ..} as a
 * flat name, a segment over {@value #MAX_LINK_BYTES} UTF-8 bytes, more than {@value #MAX_DEPTH}
 * segments) is placed in one extra root
 * group, numbered in name order, under a group name no placed name uses: it is found by its
 * {@code name} attribute. The result depends only on the set of names, never on their order.
 */
final class Hdf5Names {

    /**
     * jhdf 0.13's link message announces a one-byte name length but writes two bytes from 255 up
     * ({@code BufferBuilder.UNSIGNED_BYTE_MAX} is 254): longer names would make the file unreadable.
     */
    static final int MAX_LINK_BYTES = 254;
    /**
     * Segments a name may have to become nested groups. Real names have a handful (a large model's
     * 6-10); a file can hold one of 100,000, and as many nested groups would be written, and walked,
     * one stack frame per level.
     */
    static final int MAX_DEPTH = 64;
    private static final String UNPLACED = "_unplaced";

    /**
     * @param paths    each name's path as link names from the root, in name order
     * @param unplaced how many names were placed in the extra group
     * @param group    the extra group's name, or null when every name is a path
     */
    record Placement(Map<String, List<String>> paths, int unplaced, String group) {
    }

    private Hdf5Names() {
    }

    /** Why this name cannot be stored at all, or empty. */
    static Optional<String> refuse(String name) {
        if (!CodePoints.isWellFormed(name)) {
            return Optional.of(CodePoints.NO_UTF8_FORM);
        }
        return Optional.empty();
    }

    static Placement place(Collection<String> names, boolean flat) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(CodePoints.ORDER);
        Map<String, List<String>> candidate = new LinkedHashMap<>();
        for (String n : sorted) {
            if (!flat && dots(n) >= MAX_DEPTH) {
                continue;
            }
            List<String> segments = flat ? List.of(n) : Arrays.asList(n.split("\\.", -1));
            if (segments.stream().allMatch(s -> linkable(s, flat))) {
                candidate.put(n, segments);
            }
        }
        // A name is a group of another when that one continues it with a dot ("a.b" of "a.b.c"): looked
        // up in sorted order, not by listing every group, which for a name of k parts made k strings of
        // up to its length (a 40 KB checkpoint holding one name of 20,000 parts ran out of heap).
        NavigableSet<String> placeable = flat ? Collections.emptyNavigableSet() : new TreeSet<>(candidate.keySet());
        Map<String, List<String>> paths = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        Set<String> rootLinks = new HashSet<>();
        for (String n : sorted) {
            List<String> segments = candidate.get(n);
            if (segments == null || continued(placeable, n)) {
                rest.add(n);
            } else {
                paths.put(n, segments);
                rootLinks.add(segments.get(0));
            }
        }
        String group = null;
        if (!rest.isEmpty()) {
            group = UNPLACED;
            for (int k = 2; rootLinks.contains(group); k++) {
                group = UNPLACED + "_" + k;
            }
            for (int i = 0; i < rest.size(); i++) {
                paths.put(rest.get(i), List.of(group, Integer.toString(i)));
            }
        }
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        for (String n : sorted) {
            ordered.put(n, paths.get(n));
        }
        return new Placement(ordered, rest.size(), group);
    }

    private static int dots(String n) {
        int count = 0;
        for (int i = n.indexOf('.'); i >= 0; i = n.indexOf('.', i + 1)) {
            count++;
        }
        return count;
    }

    /** Whether some name of {@code names} starts with {@code n} and a dot. */
    private static boolean continued(NavigableSet<String> names, String n) {
        String prefix = n + ".";
        String next = names.ceiling(prefix);
        return next != null && next.startsWith(prefix);
    }

    private static boolean linkable(String segment, boolean flat) {
        if (segment.isEmpty() || segment.indexOf('/') >= 0 || segment.indexOf('\0') >= 0) {
            return false;
        }
        if (flat && (segment.equals(".") || segment.equals(".."))) {
            return false;
        }
        return segment.getBytes(StandardCharsets.UTF_8).length <= MAX_LINK_BYTES;
    }
}
