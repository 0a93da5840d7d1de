package org.pthconvert.cli.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;

class NumpyValuesTest {

    @Test
    void floatsAsPythonPrintsThem() {
        assertEquals("0.001", NumpyValues.pyFloat(0.001, false));
        assertEquals("1e-05", NumpyValues.pyFloat(1e-5, false));
        assertEquals("0.0001", NumpyValues.pyFloat(1e-4, false));
        assertEquals("1.5e-07", NumpyValues.pyFloat(1.5e-7, false));
        assertEquals("1e+16", NumpyValues.pyFloat(1e16, false));
        assertEquals("-2.5e+20", NumpyValues.pyFloat(-2.5e20, false));
        assertEquals("123456789.0", NumpyValues.pyFloat(123456789.0, false));
        assertEquals("0.1", NumpyValues.pyFloat(0.1f, true));
        assertEquals("-0.0", NumpyValues.pyFloat(-0.0, false));
        assertEquals("nan", NumpyValues.pyFloat(Double.NaN, false));
        assertEquals("-inf", NumpyValues.pyFloat(Double.NEGATIVE_INFINITY, false));
        assertEquals("5e-324", NumpyValues.pyFloat(Double.MIN_VALUE, false));
    }

    private static PObject dtype(String code, String order) {
        PObject d = new PObject(new PGlobal("numpy", "dtype"), new PTuple(List.of(new PStr(code), PBool.FALSE,
                PBool.TRUE)));
        d.setState(new PTuple(List.of(PInt.of(3), new PStr(order), PNone.NONE, PNone.NONE, PNone.NONE, PInt.of(-1),
                PInt.of(-1), PInt.of(0))));
        return d;
    }

    @Test
    void scalarsOfEveryNumericKind() {
        PGlobal scalar = new PGlobal("numpy.core.multiarray", "scalar");
        assertEquals("numpy.int16(-2)", NumpyValues.describe(new PSymbol(scalar, new PTuple(List.of(dtype("i2", "<"),
                new PBytes(new byte[] {(byte) 0xfe, (byte) 0xff}, false))))));
        assertEquals("numpy.int16(-257)", NumpyValues.describe(new PSymbol(scalar, new PTuple(List.of(
                dtype("i2", ">"), new PBytes(new byte[] {(byte) 0xfe, (byte) 0xff}, false))))));
        assertEquals("numpy.bool(True)", NumpyValues.describe(new PSymbol(scalar, new PTuple(List.of(dtype("b1", "|"),
                new PBytes(new byte[] {1}, false))))));
        assertEquals("numpy.uint8(255)", NumpyValues.describe(new PSymbol(scalar, new PTuple(List.of(dtype("u1", "|"),
                new PBytes(new byte[] {-1}, false))))));
        // Too few bytes, or a dtype that is not numeric: named only.
        assertEquals("numpy.float64(…)", NumpyValues.describe(new PSymbol(scalar, new PTuple(List.of(
                dtype("f8", "<"), new PBytes(new byte[3], false))))));
        assertEquals("numpy.U3(…)", NumpyValues.describe(new PSymbol(scalar, new PTuple(List.of(dtype("U3", "<"),
                new PBytes(new byte[12], false))))));
        assertNull(NumpyValues.describe(new PSymbol(scalar, PTuple.EMPTY)));
    }

    @Test
    void arraysShowValuesOnlyWhenSmall() {
        PObject small = new PObject(new PGlobal("numpy", "ndarray"), PTuple.EMPTY);
        byte[] raw = new byte[16];
        raw[15] = 0x3f;
        raw[14] = (byte) 0xf0; // 1.0 little-endian, second element
        small.setState(new PTuple(List.of(PInt.of(1), new PTuple(List.of(PInt.of(2))), dtype("f8", "<"), PBool.FALSE,
                new PBytes(raw, false))));
        assertEquals("numpy.ndarray float64 (2,) [0.0, 1.0]", NumpyValues.describe(small));
        PObject big = new PObject(new PGlobal("numpy", "ndarray"), PTuple.EMPTY);
        big.setState(new PTuple(List.of(PInt.of(1), new PTuple(List.of(PInt.of(100), PInt.of(3))), dtype("i8", "<"),
                PBool.FALSE, new PBytes(new byte[2400], false))));
        assertEquals("numpy.ndarray int64 (100, 3)", NumpyValues.describe(big));
        PObject huge = new PObject(new PGlobal("numpy", "ndarray"), PTuple.EMPTY);
        huge.setState(new PTuple(List.of(PInt.of(1), new PTuple(List.of(PInt.of(1L << 40), PInt.of(1L << 40))),
                dtype("i8", "<"), PBool.FALSE, new PBytes(new byte[0], false))));
        assertEquals("numpy.ndarray int64 (1099511627776, 1099511627776)", NumpyValues.describe(huge));
    }
}
