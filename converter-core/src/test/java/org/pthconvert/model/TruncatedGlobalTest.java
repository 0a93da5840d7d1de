package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;

/**
 * A pickle that ends inside a GLOBAL's lines: Python's own unpickler imports what it read (each line
 * less its last byte) before it fails, and a module-level GLOBAL with an empty name imports the
 * module before getattr fails. The audit must count those imports (found by the oracle on a cut
 * obj_opcode.pth).
 */
class TruncatedGlobalTest {

    @TempDir
    Path dir;

    private ScanReport scan(String name, String pickle) throws Exception {
        Path f = dir.resolve(name);
        byte[] body = pickle.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[body.length + 2];
        all[0] = (byte) 0x80;
        all[1] = 2;
        System.arraycopy(body, 0, all, 2, body.length);
        Files.write(f, all);
        return Scanner.scan(f);
    }

    @Test
    void aCutNameLineStillImports() throws Exception {
        ScanReport r = scan("a.pkl", "cos\nsyst");
        assertEquals(Verdict.DANGEROUS, r.verdict());
        assertNotNull(r.error());
    }

    @Test
    void aCutModuleLineImportsWhatWasRead() throws Exception {
        assertEquals(Verdict.IMPORTS_CODE, scan("b.pkl", "cos").verdict());
    }

    @Test
    void anEmptyNameImportsTheModule() throws Exception {
        assertEquals(Verdict.DANGEROUS, scan("c.pkl", "cos\n\n").verdict());
    }
}
