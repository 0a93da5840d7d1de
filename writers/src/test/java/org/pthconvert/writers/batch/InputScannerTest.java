package org.pthconvert.writers.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.InvalidRequestException;

class InputScannerTest {

    @TempDir
    Path dir;

    private Path file(String rel) throws Exception {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[1]);
        return p;
    }

    private static List<String> relatives(InputScanner.Scan s) {
        return s.inputs().stream().map(BatchInput::relative).toList();
    }

    @Test
    void foldersAreSearchedForThePatternsFilesTakenAsTheyAre() throws Exception {
        file("zoo/a.pth");
        file("zoo/x/b.PT");
        file("zoo/x/notes.txt");
        file("zoo/x/y/c.ckpt");
        Path lone = file("elsewhere/weights.safetensors");
        InputScanner.Scan s = new InputScanner(OutputNames.DEFAULT_PATTERNS, false, null)
                .scan(List.of(dir.resolve("zoo").toString(), lone.toString()));
        assertEquals(List.of("a.pth", "x/b.PT", "x/y/c.ckpt", "weights.safetensors"), relatives(s));
    }

    @Test
    void listsHoldOnePathALineWithComments() throws Exception {
        Path a = file("m/a.pth");
        file("zoo/b.bin");
        Path list = dir.resolve("list.txt");
        Files.writeString(list, "# models to convert\n" + a + "\n\n   " + dir.resolve("zoo") + "   \n# done\n");
        InputScanner.Scan s = new InputScanner(OutputNames.DEFAULT_PATTERNS, false, null).scan(List.of("@" + list));
        assertEquals(List.of("a.pth", "b.bin"), relatives(s));
        assertTrue(s.inputs().stream().allMatch(i -> i.origin().equals("@" + list)));
    }

    @Test
    void missingInputsAreUsageErrors() {
        InputScanner sc = new InputScanner(OutputNames.DEFAULT_PATTERNS, false, null);
        assertThrows(InvalidRequestException.class, () -> sc.scan(List.of(dir.resolve("nope").toString())));
        assertThrows(InvalidRequestException.class, () -> sc.scan(List.of("@" + dir.resolve("nope.txt"))));
    }

    @Test
    void linksOutOfAFolderAreNotFollowedUnlessAsked() throws Exception {
        Path outside = file("outside/secret.pth");
        file("zoo/a.pth");
        Files.createSymbolicLink(dir.resolve("zoo/out.pth"), outside);
        Files.createSymbolicLink(dir.resolve("zoo/in.pth"), dir.resolve("zoo/a.pth"));
        Files.createSymbolicLink(dir.resolve("zoo/linked"), dir.resolve("outside"));
        Files.createSymbolicLink(dir.resolve("zoo/loop"), dir.resolve("zoo"));
        InputScanner.Scan s = new InputScanner(OutputNames.DEFAULT_PATTERNS, false, null)
                .scan(List.of(dir.resolve("zoo").toString()));
        assertEquals(List.of("a.pth", "in.pth"), relatives(s));
        assertEquals(3, s.ignored().size(), s.ignored().toString());
        assertTrue(s.ignored().stream().anyMatch(l -> l.contains("out.pth")), s.ignored().toString());
        InputScanner.Scan followed = new InputScanner(OutputNames.DEFAULT_PATTERNS, true, null)
                .scan(List.of(dir.resolve("zoo").toString()));
        assertEquals(List.of("a.pth", "in.pth", "linked/secret.pth", "out.pth"), relatives(followed));
        assertTrue(followed.ignored().stream().anyMatch(l -> l.contains("loop")), followed.ignored().toString());
    }

    @Test
    void theOutputFolderInsideAnInputFolderIsNotSearched() throws Exception {
        file("zoo/a.pth");
        file("zoo/out/a.pth");
        InputScanner.Scan s = new InputScanner(OutputNames.DEFAULT_PATTERNS, false, dir.resolve("zoo/out"))
                .scan(List.of(dir.resolve("zoo").toString()));
        assertEquals(List.of("a.pth"), relatives(s));
    }
}
