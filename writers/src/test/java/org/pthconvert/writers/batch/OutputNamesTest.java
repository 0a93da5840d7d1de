package org.pthconvert.writers.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.InvalidRequestException;

class OutputNamesTest {

    @Test
    void mirrorsTheTreeAndSwapsTheExtension() {
        assertEquals("resnet/a.safetensors", OutputNames.outputFor("resnet/a.pth", ".safetensors", false));
        assertEquals("a.npz", OutputNames.outputFor("a.ckpt", ".npz", false));
        assertEquals("x/a.tar.npz", OutputNames.outputFor("x/a.tar.bin", ".npz", false));
        assertEquals("noext.npz", OutputNames.outputFor("noext", ".npz", false));
        assertEquals(".hidden.npz", OutputNames.outputFor(".hidden", ".npz", false));
    }

    @Test
    void aFolderOutputIsTheStem() {
        assertEquals("resnet/a", OutputNames.outputFor("resnet/a.pth", ".safetensors", true));
    }

    @Test
    void namesThatCouldLeaveTheRootAreRefused() {
        for (String bad : List.of("", "/etc/a.pth", "../a.pth", "x/../../a.pth", "a//b.pth", "./a.pth", "a\\..\\b.pth",
                "a/", "a\0b")) {
            assertThrows(InvalidRequestException.class, () -> OutputNames.outputFor(bad, ".npz", false), bad);
        }
    }

    @Test
    void patternsMatchFileNamesIgnoringCase() {
        List<String> p = OutputNames.DEFAULT_PATTERNS;
        assertTrue(OutputNames.matches("a.pth", p));
        assertTrue(OutputNames.matches("MODEL.PT", p));
        assertTrue(OutputNames.matches("pytorch_model.bin", p));
        assertTrue(OutputNames.matches("last.ckpt", p));
        assertFalse(OutputNames.matches(".a.safetensors.0123456789ab.tmp", p));
        assertFalse(OutputNames.matches("a.pth.bak", p));
        assertFalse(OutputNames.matches("a.ptx", p));
        assertTrue(OutputNames.matches("epoch=3-step=10.ckpt", List.of("epoch=?-*.ckpt")));
        assertFalse(OutputNames.matches("epoch=10-step=10.ckpt", List.of("epoch=?-*.ckpt")));
        assertTrue(OutputNames.matches("anything", List.of("*")));
        assertTrue(OutputNames.matches("a**b", List.of("a*b*")));
    }

    @Test
    void patternListsAreCommaSeparated() {
        assertEquals(List.of("*.pth", "*.pt"), OutputNames.parsePatterns(" *.pth, ,*.pt"));
        assertThrows(InvalidRequestException.class, () -> OutputNames.parsePatterns(" , "));
    }
}
