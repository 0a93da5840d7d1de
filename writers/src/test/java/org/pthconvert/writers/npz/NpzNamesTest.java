package org.pthconvert.writers.npz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pthconvert.writers.CodePoints;

/** NpzNames.refuse checks the member name through the tensor name; it must say what checking the member says. */
class NpzNamesTest {

    /** The rules applied to the member itself, as written before the member was no longer made. */
    private static Optional<String> reference(String name) {
        if (!CodePoints.isWellFormed(name)) {
            return Optional.of("the name is not valid Unicode (an unpaired surrogate); it has no UTF-8 form");
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("the name holds a NUL character, where zip readers cut it short");
        }
        if (name.indexOf('\\') >= 0) {
            return Optional.of("the name holds a backslash, which zip readers on Windows turn into '/'");
        }
        String member = name + ".npy";
        if (member.startsWith("/")) {
            return Optional.of("the name starts with '/', an absolute path in the archive");
        }
        if (member.length() >= 2 && member.charAt(1) == ':' && Character.isLetter(member.charAt(0))) {
            return Optional.of("the name starts with a drive letter, an absolute path on Windows");
        }
        for (String segment : member.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return Optional.of("the name has a '" + segment + "' path segment, which could escape the archive");
            }
        }
        if (member.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
            return Optional.of("the name is longer than a zip entry name can be (65535 bytes with .npy)");
        }
        return Optional.empty();
    }

    @Test
    void memberBytesAreTheMembersUtf8() {
        for (String name : List.of("", "w", "experts.12.w5", "\u00e9.weight", "\uD83D\uDE00", "a/b", "x\u007f")) {
            assertArrayEquals(NpzNames.member(name).getBytes(StandardCharsets.UTF_8), NpzNames.memberBytes(name), name);
        }
    }

    @Test
    void refusesWhatTheMemberRulesRefuse() {
        List<String> names = List.of("", "w", "a.b", "/w", "c:w", "1:w", "a/../b", "a/./b", "..", ".", "../a", "a/..",
                "a/.", "./a", "a//b", "a/", "...", "a/.../b", "\u00e9:x", "x\\y", "x\0y", "\uD800", "\uD83D\uDE00/..",
                "a".repeat(0xFFFF - 4), "a".repeat(0xFFFF - 3), "\u00e9".repeat(32764), "\u00e9".repeat(32765),
                "\u4e2d".repeat(21843), "\u4e2d".repeat(21844), "\uD83D\uDE00".repeat(16382) + "a".repeat(3));
        for (String n : names) {
            assertEquals(reference(n), NpzNames.refuse(n), n.length() > 40 ? n.length() + " chars" : n);
        }
        char[] alphabet = {'a', 'b', '.', '/', ':', '\\', 'C', '\u00e9', '\u4e2d', '\uD83D', '\uDE00'};
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(0, 9); k > 0; k--) {
                sb.append(alphabet[r.nextInt(alphabet.length)]);
            }
            String n = sb.toString();
            assertEquals(reference(n), NpzNames.refuse(n), n);
        }
        assertTrue(NpzNames.refuse("model.layer.0.weight").isEmpty());
    }
}
