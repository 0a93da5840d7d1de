package org.pthconvert.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonReaderTest {

    @Test
    void valuesInFileOrder() throws Exception {
        Object v = JsonReader.parse(" {\"b\": [1, -2.5e1, true, null, \"\\u00e9\\n\"], \"a\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertEquals(List.of(BigInteger.ONE, -25.0, Boolean.TRUE, JsonReader.NULL, "\u00e9\n"), m.get("b"));
    }

    @Test
    void malformedTextIsRefused() {
        for (String bad : new String[] {"{", "{\"a\":1,}", "[1 2]", "{\"a\":1}{", "01", "\"\t\"", "{\"a\":1,\"a\":2}",
            "[".repeat(100) + "]".repeat(100), "nul", "{'a':1}"}) {
            assertThrows(JsonReader.JsonException.class, () -> JsonReader.parse(bad), bad);
        }
    }
}
