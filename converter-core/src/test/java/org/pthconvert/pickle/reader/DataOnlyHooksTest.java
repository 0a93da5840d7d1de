package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleRepr;

/** The plain-data allowlist, called directly. */
class DataOnlyHooksTest {
    private final DataOnlyHooks hooks = new DataOnlyHooks();

    private PickleValue call(String module, String name, PickleValue... args) throws CheckpointException {
        return hooks.call(new PGlobal(module, name), new PTuple(List.of(args)), 42);
    }

    private CheckpointException refused(String module, String name, PickleValue... args) {
        return assertThrows(CheckpointException.class, () -> call(module, name, args));
    }

    @Test
    void theAllowlistIsSmallAndExplicit() {
        assertEquals(Set.of("builtins.set", "builtins.frozenset", "builtins.list", "builtins.tuple", "builtins.dict",
                "builtins.bytes", "builtins.bytearray", "builtins.complex", "builtins.object", "builtins.slice",
                "builtins.range", "_codecs.encode", "collections.OrderedDict", "collections.Counter",
                "collections.defaultdict", "copyreg._reconstructor"), hooks.allowedCalls());
    }

    @Test
    void everythingElseIsDangerousAndNamed() {
        for (String q : List.of("os.system", "builtins.eval", "builtins.getattr", "collections.UserDict",
                "copyreg.__newobj__", "numpy.core.multiarray._reconstruct", "torch._utils._rebuild_tensor_v2")) {
            int dot = q.lastIndexOf('.');
            CheckpointException e = refused(q.substring(0, dot), q.substring(dot + 1));
            assertEquals(Reason.DANGEROUS, e.reason());
            assertEquals(42, e.offset());
            assertEquals("this file would run code when loaded with torch.load: call to " + q, e.detail());
        }
    }

    @Test
    void plainConstructors() throws CheckpointException {
        PList list = new PList();
        list.items().addAll(List.of(PInt.of(1), PInt.of(2), PInt.of(1)));
        assertEquals("{1, 2}", PickleRepr.repr(call("builtins", "set", list)));
        assertEquals("frozenset({1, 2})", PickleRepr.repr(call("__builtin__", "frozenset", list)));
        assertEquals("(1, 2, 1)", PickleRepr.repr(call("builtins", "tuple", list)));
        assertEquals("[]", PickleRepr.repr(call("builtins", "list")));
        assertEquals("b''", PickleRepr.repr(call("__builtin__", "bytes")));
        assertEquals("bytearray(b'\\xe9')", PickleRepr.repr(call("__builtin__", "bytearray", new PStr("\u00e9"),
                new PStr("latin-1"))));
        PBytes b = assertInstanceOf(PBytes.class, call("_codecs", "encode", new PStr("\u00e9\u00ff"),
                new PStr("latin1")));
        assertEquals("b'\\xe9\\xff'", PickleRepr.repr(b));
        assertEquals("b'\\xc3\\xa9'", PickleRepr.repr(call("_codecs", "encode", new PStr("\u00e9"))));
        assertEquals("<builtins.object>", PickleRepr.repr(call("builtins", "object")));
        PSymbol c = assertInstanceOf(PSymbol.class, call("__builtin__", "complex", PInt.of(1), new PFloat(-2.5)));
        assertEquals(PlainCalls.COMPLEX, c.what());
        assertEquals("builtins.complex(1.0, -2.5)", PickleRepr.repr(c));
        PTuple pairs = new PTuple(List.of(new PTuple(List.of(new PStr("b"), PInt.of(1))),
                new PTuple(List.of(new PStr("a"), PInt.of(2)))));
        PDict od = assertInstanceOf(PDict.class, call("collections", "OrderedDict", pairs));
        assertTrue(od.isOrderedDict());
        assertEquals("OrderedDict({'b': 1, 'a': 2})", PickleRepr.repr(od));
        assertEquals("{'b': 1, 'a': 2}", PickleRepr.repr(call("builtins", "dict", od)));
    }

    @Test
    void wrongArgumentsAreInvalidOrUnsupported() {
        assertEquals(Reason.INVALID, refused("builtins", "set", PInt.of(1), PInt.of(2)).reason());
        assertEquals(Reason.UNSUPPORTED, refused("builtins", "set", new PStr("abc")).reason());
        assertEquals(Reason.INVALID, refused("builtins", "set", new PTuple(List.of(new PList()))).reason());
        assertEquals(Reason.INVALID, refused("_codecs", "encode", new PStr("\u0100"), new PStr("latin1")).reason());
        assertEquals(Reason.INVALID, refused("_codecs", "encode", new PStr("\ud800")).reason());
        assertEquals(Reason.UNSUPPORTED, refused("_codecs", "encode", new PStr("a"), new PStr("rot13")).reason());
        assertEquals(Reason.UNSUPPORTED, refused("_codecs", "encode", new PStr("a"), new PStr("latin1"),
                new PStr("ignore")).reason());
        assertEquals(Reason.UNSUPPORTED, refused("builtins", "bytes", PInt.of(1_000_000_000)).reason());
        assertEquals(Reason.UNSUPPORTED, refused("builtins", "complex", new PStr("1+2j")).reason());
        assertEquals(Reason.INVALID, refused("builtins", "complex", new PInt(java.math.BigInteger.TEN.pow(400)))
                .reason());
        PList bad = new PList();
        bad.items().add(new PTuple(List.of(PInt.of(1))));
        assertEquals(Reason.INVALID, refused("collections", "OrderedDict", bad).reason());
        assertEquals(Reason.INVALID, refused("builtins", "object", PInt.of(1)).reason());
        assertEquals(Reason.INVALID, refused("copyreg", "_reconstructor", PInt.of(1)).reason());
    }

    @Test
    void nonGlobalCallables() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> hooks.call(new PStr("os.system"), PTuple.EMPTY, 7));
        assertEquals(Reason.INVALID, e.reason());
        e = assertThrows(CheckpointException.class,
                () -> hooks.call(new PObject(new PGlobal("m", "C"), PTuple.EMPTY), PTuple.EMPTY, 7));
        assertEquals(Reason.DANGEROUS, e.reason());
    }

    @Test
    void newObjectAndBuild() throws CheckpointException {
        PObject o = assertInstanceOf(PObject.class, hooks.newObject(new PGlobal("m", "C"), PTuple.EMPTY, 1));
        PDict state = new PDict(false);
        state.put(new PStr("x"), PInt.of(3));
        assertEquals(o, hooks.build(o, state, 2));
        assertEquals("3", o.attribute("x").toString());
        assertEquals(Reason.INVALID, assertThrows(CheckpointException.class,
                () -> hooks.newObject(new PStr("m.C"), PTuple.EMPTY, 1)).reason());
        assertInstanceOf(PSymbol.class, hooks.newObject(new PGlobal("__builtin__", "complex"), PTuple.EMPTY, 1));

        PDict od = new PDict(true);
        PDict meta = new PDict(false);
        meta.put(new PStr("_metadata"), new PDict(true));
        hooks.build(od, new PTuple(List.of(meta, PickleValue.PNone.NONE)), 3);
        assertEquals(Set.of("_metadata"), od.attributes().keySet());
        assertEquals(0, od.size());
        assertEquals(Reason.INVALID, assertThrows(CheckpointException.class,
                () -> hooks.persistentLoad(new PStr("x"), 4)).reason());
    }

    @Test
    void theCallsAreTheAllowlistsPlainCalls() {
        assertEquals(org.pthconvert.safety.Allowlist.names(org.pthconvert.safety.Allowlist.Role.PLAIN_CALL),
                hooks.allowedCalls());
    }

    @Test
    void python2NamesAreCalledByTheirPython3Name() throws CheckpointException {
        assertEquals("builtins.range(0, 3)", PickleRepr.repr(call("__builtin__", "xrange", PInt.of(0), PInt.of(3))));
        assertInstanceOf(PSymbol.class, call("__builtin__", "slice", PInt.of(1), PInt.of(2), PickleValue.PNone.NONE));
        assertEquals(Reason.DANGEROUS, refused("__builtin__", "eval", new PStr("1")).reason());
        assertEquals(Reason.DANGEROUS, refused("commands", "getoutput", new PStr("true")).reason());
    }
}
