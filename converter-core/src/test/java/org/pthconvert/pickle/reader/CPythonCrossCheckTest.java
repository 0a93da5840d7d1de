package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;

/**
 * Pickles whose expected value CPython computed (gen_fixtures.py): each opcode case and one nested
 * structure in protocols 0-5 must read back to the same canonical text.
 */
class CPythonCrossCheckTest {

    /** Opcodes whose results are not plain data CPython can produce; UnpicklerObjectTest covers them. */
    private static final Set<Opcode> JAVA_ONLY = EnumSet.of(Opcode.PERSID, Opcode.BINPERSID, Opcode.EXT1,
            Opcode.EXT2, Opcode.EXT4, Opcode.NEXT_BUFFER, Opcode.READONLY_BUFFER);

    static List<String[]> cases() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                resource("opcode-cases.tsv"), StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.startsWith("#")) {
                    rows.add(line.split("\t", 3));
                }
            }
        }
        return rows;
    }

    static Stream<Arguments> opcodeCases() throws IOException {
        return cases().stream().map(row -> Arguments.of(row[0], row[1], row[2]));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opcodeCases")
    void opcodeCaseReadsAsCPythonDoes(String opcode, String hex, String expected) throws Exception {
        byte[] data = Pk.hex(hex);
        ByteArrayInputStream in = new ByteArrayInputStream(Pk.of(data, "trailing bytes"));
        Unpickler u = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, Pk.RECORD);
        assertEquals(expected, Pk.repr(u.load(in)));
        // The bytes behind STOP may have been read ahead, but the pickle ends at STOP.
        assertEquals(data.length, u.bytesConsumed(), "ends right after STOP");
    }

    @Test
    void everyOpcodeHasACase() throws IOException {
        Set<Opcode> covered = EnumSet.copyOf(JAVA_ONLY);
        for (String[] row : cases()) {
            covered.add(Opcode.valueOf(row[0]));
        }
        assertEquals(EnumSet.allOf(Opcode.class), covered);
    }

    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void nestedStructureInEveryProtocol(int protocol) throws IOException, CheckpointException {
        String expected;
        try (InputStream in = resource("nested.expected")) {
            expected = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
        byte[] data;
        try (InputStream in = resource("nested-p" + protocol + ".pkl")) {
            data = in.readAllBytes();
        }
        Unpickler u = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, Pk.RECORD);
        PickleValue v = u.load(new ByteArrayInputStream(data));
        assertEquals(expected, Pk.repr(v));
        assertEquals(data.length, u.bytesConsumed());
        assertEquals(protocol < 2 ? 0 : protocol, u.protocol());
    }

    static InputStream resource(String name) {
        return CPythonCrossCheckTest.class.getResourceAsStream("/pickle/" + name);
    }
}
