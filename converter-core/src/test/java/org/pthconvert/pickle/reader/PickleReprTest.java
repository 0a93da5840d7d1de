package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleRepr;

class PickleReprTest {

    /** Bits and Python's repr of them, printed by CPython 3.11. */
    @ParameterizedTest
    @CsvSource({"3fb999999999999a,0.1", "3fd3333333333334,0.30000000000000004", "4480f0cf064dd592,1e+22",
            "44b52d02c7e14af6,1e+23", "0000000000000001,5e-324", "7fefffffffffffff,1.7976931348623157e+308",
            "0010000000000000,2.2250738585072014e-308", "437b69b4ba630f35,1.2345678901234568e+17",
            "4341c37937e08000,1e+16", "4341c37937e07fff,9999999999999998.0", "3f1a36e2eb1c432d,0.0001",
            "3ee4f8b588e368f1,1e-05", "0000000000000003,1.5e-323", "3fd5555555555555,0.3333333333333333",
            "4059000000000000,100.0", "42a67496adf40000,12345000000000.0", "4011666666666666,4.35",
            "447c7e83209e90b2,8.41e+21", "3f0a36e2eb1c432d,5e-05", "4340000000000001,9007199254740994.0",
            "8000000000000000,-0.0", "0000000000000000,0.0", "fff0000000000000,-inf", "7ff8000000000000,nan",
            "c00c000000000000,-3.5"})
    void floatsPrintAsPythonRepr(String bits, String python) {
        double d = Double.longBitsToDouble(HexFormat.fromHexDigitsToLong(bits));
        assertEquals(python, PickleRepr.pythonFloat(d));
    }

    @Test
    void stringsAndBytesQuoteLikePython() {
        assertEquals("\"it's\"", PickleRepr.repr(new PStr("it's")));
        assertEquals("'both \\' and \"'", PickleRepr.repr(new PStr("both ' and \"")));
        assertEquals("'\\x00\\x7f\\xe9\\u20ac\\U0001f600\\ud800'", PickleRepr.repr(new PStr("\0\u007f\u00e9\u20ac"
                + "\ud83d\ude00\ud800")));
        assertEquals("b\"'\"", PickleRepr.repr(new PBytes(new byte[] {'\''}, false)));
        assertEquals("bytearray(b'\\\\\\n\\xff')", PickleRepr.repr(new PBytes(new byte[] {'\\', '\n', -1}, true)));
    }

    @Test
    void objectsSymbolsAndCycles() {
        PList l = new PList();
        PTuple t = new PTuple(List.of(l));
        l.items().add(t);
        assertEquals("([(...)],)", PickleRepr.repr(t));
        PObject o = new PObject(new PGlobal("m", "C"), PTuple.EMPTY);
        o.setState(o);
        assertEquals("<m.C state=<...>>", PickleRepr.repr(o));
        assertEquals("m.f", PickleRepr.repr(new PSymbol(new PGlobal("m", "f"), null)));
        assertEquals("m.f(1)", PickleRepr.repr(new PSymbol(new PGlobal("m", "f"),
                new PTuple(List.of(PickleValue.PInt.of(1))))));
    }

    @Test
    void budgetCutsHugeValues() {
        String big = "x".repeat(1_000_000);
        String text = PickleRepr.repr(new PStr(big), 100);
        assertEquals(103, text.length());
        PList wide = new PList();
        for (int i = 0; i < 1_000_000; i++) {
            wide.items().add(new PStr(big));
        }
        assertEquals(53, PickleRepr.repr(wide, 50).length());
    }
}
