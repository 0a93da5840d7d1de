package org.pthconvert.writers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class WriterOptionTest {
    /** The rule the hand-written check replaced, kept as its oracle. */
    private static final Pattern REFERENCE = Pattern.compile("[a-z0-9]+\\.[a-z0-9][a-z0-9.-]*");

    @Test
    void keyCheckAgreesWithTheRegularExpression() {
        List<String> keys = List.of("hdf5.flat", "onnx.external-data", "a.b", "a1.2", "pth.keep.storages",
                "x.y-", "x.y..z", "", ".", "a.", ".a", "a..b", "a.-b", "A.b", "a.B", "a_b.c", "a.b_c", "ab",
                "a b.c", "a.b c", "é.x", "a.é", "hdf5.", "-a.b", "a-.b");
        for (String k : keys) {
            assertEquals(REFERENCE.matcher(k).matches(), WriterOption.isKey(k), k);
        }
        // Every string of up to four characters over the alphabet that matters.
        char[] alphabet = {'a', '0', '.', '-', 'Z', '_'};
        int n = alphabet.length;
        for (int len = 0; len <= 4; len++) {
            int total = (int) Math.pow(n, len);
            for (int code = 0; code < total; code++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0, c = code; i < len; i++, c /= n) {
                    sb.append(alphabet[c % n]);
                }
                String k = sb.toString();
                assertEquals(REFERENCE.matcher(k).matches(), WriterOption.isKey(k), k);
            }
        }
    }

    @Test
    void refusesABadKey() {
        assertThrows(IllegalArgumentException.class,
                () -> new WriterOption("Flat", "--flat", WriterOption.Type.FLAG, "help"));
    }
}
