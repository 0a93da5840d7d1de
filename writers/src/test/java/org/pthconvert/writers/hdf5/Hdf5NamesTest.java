package org.pthconvert.writers.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

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

    @Test
    void invalidUnicodeIsRefused() {
        assertTrue(Hdf5Names.refuse("bad\uD800").isPresent());
        assertTrue(Hdf5Names.refuse("fine.ü").isEmpty());
    }
}
