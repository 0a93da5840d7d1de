package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** {@link Opcode} against Python's own table (pickletools-opcodes.tsv, made by gen_opcodes.py). */
class OpcodeTableTest {

    static List<String[]> pythonTable() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                OpcodeTableTest.class.getResourceAsStream("/pickle/pickletools-opcodes.tsv"), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    rows.add(line.split("\t"));
                }
            }
        }
        return rows;
    }

    @Test
    void everyOpcodeMatchesPythonsTable() throws IOException {
        Set<Opcode> seen = EnumSet.noneOf(Opcode.class);
        for (String[] row : pythonTable()) {
            Opcode op = Opcode.valueOf(row[0]);
            assertEquals(Integer.parseInt(row[1].substring(2), 16), op.code(), row[0] + " code");
            assertEquals(Integer.parseInt(row[2]), op.protocol(), row[0] + " protocol");
            assertEquals(row[3].equals("-") ? null : row[3], op.arg().pythonName(), row[0] + " argument");
            assertEquals(Integer.parseInt(row[4]), op.arg().n(), row[0] + " argument size");
            assertSame(op, Opcode.of(op.code()));
            seen.add(op);
        }
        assertEquals(EnumSet.allOf(Opcode.class), seen, "opcodes Python does not list");
        assertEquals(68, seen.size());
    }

    @Test
    void bytesThatAreNoOpcode() throws IOException {
        int opcodes = 0;
        for (int b = 0; b < 256; b++) {
            if (Opcode.of(b) != null) {
                opcodes++;
            }
        }
        assertEquals(pythonTable().size(), opcodes);
        assertNull(Opcode.of(0xff));
        assertNull(Opcode.of(-1));
        assertNull(Opcode.of(256));
        assertNotNull(Opcode.of('('));
    }
}
