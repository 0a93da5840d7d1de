package org.pthconvert.writers.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class Hdf5NamesTest {

    private static Map<String, List<String>> place(boolean flat, String... names) {
        return Hdf5Names.place(List.of(names), flat).paths();
    }

    @Test
    void dottedNamesBecomeGroups() {
        Map<String, List<String>> p = place(false, "backbone.body.conv1.weight", "fc.bias");
        assertEquals(List.of("backbone", "body", "conv1", "weight"), p.get("backbone.body.conv1.weight"));
        assertEquals(List.of("fc", "bias"), p.get("fc.bias"));
    }

    @Test
    void aDatasetThatIsAlsoAGroupIsPlacedApart() {
        Hdf5Names.Placement p = Hdf5Names.place(List.of("a.b", "a.b.c", "a"), false);
        assertEquals(List.of("a", "b", "c"), p.paths().get("a.b.c"));
        assertEquals(List.of("_unplaced", "0"), p.paths().get("a"));
        assertEquals(List.of("_unplaced", "1"), p.paths().get("a.b"));
        assertEquals(2, p.unplaced());
    }

    @Test
    void emptySegmentsSlashesAndNulAreNotPaths() {
        Hdf5Names.Placement p = Hdf5Names.place(List.of("", "a..b", ".a", "a.", "x/y", "n\0ul", "ok"), false);
        assertEquals(6, p.unplaced());
        assertEquals(List.of("ok"), p.paths().get("ok"));
        for (String n : List.of("", "a..b", ".a", "a.", "x/y", "n\0ul")) {
            assertEquals("_unplaced", p.paths().get(n).get(0), n);
        }
    }

    @Test
    void theExtraGroupNeverCollides() {
        Map<String, List<String>> p = place(false, "_unplaced.x", "_unplaced_2", "a..b");
        assertEquals(List.of("_unplaced_3", "0"), p.get("a..b"));
        assertEquals(List.of("_unplaced", "x"), p.get("_unplaced.x"));
    }

    @Test
    void flatKeepsWholeNamesAtTheRoot() {
        Hdf5Names.Placement p = Hdf5Names.place(List.of("a.b", "a.b.c", ".", "..", "x/y", "a..b"), true);
        assertEquals(List.of("a.b"), p.paths().get("a.b"));
        assertEquals(List.of("a.b.c"), p.paths().get("a.b.c"));
        assertEquals(List.of("a..b"), p.paths().get("a..b"));
        assertEquals(3, p.unplaced());
    }

    @Test
    void unicodeSegmentsAreKeptAndLongOnesPlacedApart() {
        String longSegment = "é".repeat(127) + "x";   // 255 UTF-8 bytes
        String fits = "x".repeat(Hdf5Names.MAX_LINK_BYTES);
        Map<String, List<String>> p = place(false, "ünï.çødé", "a." + longSegment, "b." + fits);
        assertEquals(List.of("ünï", "çødé"), p.get("ünï.çødé"));
        assertEquals("_unplaced", p.get("a." + longSegment).get(0));
        assertEquals(List.of("b", fits), p.get("b." + fits));
    }

    @Test
    void placementDoesNotDependOnOrder() {
        List<String> names = new ArrayList<>(List.of("a.b", "a.b.c", "x..y", "z", "z.w", "q/r", "m.n.o"));
        Hdf5Names.Placement first = Hdf5Names.place(names, false);
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(names, random);
            assertEquals(first, Hdf5Names.place(names, false));
        }
    }

    /** The group rule read plainly: every proper prefix of every placeable name's segments is a group. */
    private static Set<List<String>> plainGroups(List<String> names) {
        Set<List<String>> groups = new HashSet<>();
        for (String n : names) {
            List<String> segments = Arrays.asList(n.split("\\.", -1));
            if (segments.size() <= Hdf5Names.MAX_DEPTH && segments.stream().allMatch(s -> !s.isEmpty()
                    && s.indexOf('/') < 0 && s.indexOf('\0') < 0)) {
                for (int i = 1; i < segments.size(); i++) {
                    groups.add(segments.subList(0, i));
                }
            }
        }
        return groups;
    }

    @Test
    void aNameIsPlacedApartExactlyWhenAnotherContinuesIt() {
        // Parts chosen so that names sort between a name and its continuations ('-' < '.' < '0').
        List<String> parts = List.of("a", "b", "a-", "a0", "ab", "b.c", "", "é");
        Random random = new Random(11);
        for (int round = 0; round < 3000; round++) {
            List<String> names = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
                StringBuilder b = new StringBuilder(parts.get(random.nextInt(parts.size())));
                for (int k = random.nextInt(4); k > 0; k--) {
                    b.append('.').append(parts.get(random.nextInt(parts.size())));
                }
                if (!names.contains(b.toString())) {
                    names.add(b.toString());
                }
            }
            Set<List<String>> groups = plainGroups(names);
            Hdf5Names.Placement p = Hdf5Names.place(names, false);
            for (String n : names) {
                List<String> segments = Arrays.asList(n.split("\\.", -1));
                boolean linkable = segments.stream().allMatch(s -> !s.isEmpty());
                boolean apart = !linkable || groups.contains(segments);
                assertEquals(apart, p.paths().get(n).get(0).startsWith("_unplaced"), names + ": " + n);
            }
        }
    }

    @Test
    void aNameOfMoreSegmentsThanTheLimitIsPlacedApart() {
        String deepest = "a.".repeat(Hdf5Names.MAX_DEPTH - 1) + "w";
        String deeper = "a.".repeat(Hdf5Names.MAX_DEPTH) + "w";
        Hdf5Names.Placement p = Hdf5Names.place(List.of(deepest, deeper, "a.a.a"), false);
        assertEquals(Hdf5Names.MAX_DEPTH, p.paths().get(deepest).size());
        assertEquals("_unplaced", p.paths().get(deeper).get(0));
        assertEquals("_unplaced", p.paths().get("a.a.a").get(0), "a group of the placed name");
        p = Hdf5Names.place(List.of(deeper, "a.a.a"), false);
        assertEquals(List.of("a", "a", "a"), p.paths().get("a.a.a"), "no placed name continues it");
    }

    /** Names of 100,000 parts (a 200 KB key in a checkpoint of as many bytes) cost work linear in their length. */
    @Test
    void namesOfManyPartsArePlacedWithLinearWork() {
        String deep = "a.".repeat(100_000) + "w";
        List<String> names = List.of(deep, "a.".repeat(50_000) + "z", "a.a", "b");
        long before = allocated();
        Hdf5Names.Placement p = Hdf5Names.place(names, false);
        long used = allocated() - before;
        assertEquals(2, p.unplaced());
        assertEquals(List.of("a", "a"), p.paths().get("a.a"));
        assertTrue(used < 20L * deep.length() + (1 << 20), "allocated " + used + " bytes");
    }

    private static long allocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean m) {
            return m.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        throw new IllegalStateException("no per-thread allocation counter on this JVM");
    }

    @Test
    void invalidUnicodeIsRefused() {
        assertTrue(Hdf5Names.refuse("bad\uD800").isPresent());
        assertTrue(Hdf5Names.refuse("fine.ü").isEmpty());
    }
}
