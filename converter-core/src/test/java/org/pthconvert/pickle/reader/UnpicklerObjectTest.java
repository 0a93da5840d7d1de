package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleRepr;

/** The opcodes that reach outside plain data: what the hooks see, and what is refused. */
class UnpicklerObjectTest {

    @ParameterizedTest
    @CsvSource({"os,system", "posix,system", "nt,system", "builtins,eval", "__builtin__,eval", "builtins,exec",
            "subprocess,check_call", "functools,partial", "builtins,getattr", "torch,load", "runpy,run_path"})
    void codeRunningCallsAreDangerous(String module, String name) {
        byte[] data = Pk.reduce(module, name, "echo pwned");
        CheckpointException e = Pk.fail(data);
        assertEquals(Reason.DANGEROUS, e.reason());
        assertEquals(data.length - 2, e.offset(), "offset of REDUCE");
        assertEquals(Pk.RECORD + " @0x" + Long.toHexString(data.length - 2) + ": REDUCE: this file would run code"
                + " when loaded with torch.load: call to " + module.replace("__builtin__", "builtins") + "." + name,
                e.getMessage());
    }

    @Test
    void dangerousCallsThroughEveryCallingOpcode() {
        byte[] stackGlobal = Pk.of("\u0080\u0004\u008c\u0002os\u008c\u0006system\u0093\u008c\u0002ls\u0085R.");
        assertDangerous(Pk.fail(stackGlobal), 20, "REDUCE", "os.system");
        assertDangerous(Pk.fail(Pk.of("(S'ls'\nios\nsystem\n.")), 7, "INST", "os.system");
        assertDangerous(Pk.fail(Pk.of("(cos\nsystem\nS'ls'\no.")), 18, "OBJ", "os.system");
        // An allowlisted name that is then called on an object: calling an instance runs its __call__.
        assertDangerous(Pk.fail(Pk.of("cmymod\nThing\n)\u0081)R.")), 16, "REDUCE", "call to a mymod.Thing object");
    }

    private static void assertDangerous(CheckpointException e, long offset, String opcode, String what) {
        assertEquals(Reason.DANGEROUS, e.reason(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(opcode + ": this file would run code"), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }

    @Test
    void aDangerousCallBeforeACorruptOpcodeIsReportedAsDangerous() {
        byte[] payload = Pk.reduce("os", "system", "rm -rf /");
        byte[] nullified = Pk.of(java.util.Arrays.copyOf(payload, payload.length - 1), 0xff, "garbage");
        assertDangerous(Pk.fail(nullified), payload.length - 2, "REDUCE", "os.system");
        // ... and a corrupt opcode met first is reported as corrupt.
        byte[] corruptFirst = Pk.of("\u0080\u0002\u00ff", java.util.Arrays.copyOfRange(payload, 2, payload.length));
        assertEquals(Reason.INVALID, Pk.fail(corruptFirst).reason());
    }

    @Test
    void nonCallablesAreInvalidNotDangerous() {
        CheckpointException e = Pk.fail(Pk.of("K\u0001)R."));
        assertEquals(Reason.INVALID, e.reason());
        assertTrue(e.getMessage().endsWith("REDUCE: 'int' object is not callable"), e.getMessage());
    }

    @Test
    void newobjBuildAndItemsMakeAnInertObject() throws CheckpointException {
        byte[] data = Pk.of("\u0080\u0002cmymod\nNet\nK\u0001\u0085\u0081}X\u0001\u0000\u0000\u0000aK\u0002sb",
                "(K\u0003K\u0004e(K\u0005K\u0006u.");
        PObject obj = assertInstanceOf(PObject.class, Pk.load(data));
        assertEquals(new PGlobal("mymod", "Net"), obj.type());
        assertEquals("<mymod.Net args=(1,) items=[3, 4] dict={5: 6} state={'a': 2}>", PickleRepr.repr(obj));
        assertEquals("2", obj.attribute("a").toString());
    }

    @Test
    void protocol1ObjectsComeThroughCopyregReconstructor() throws CheckpointException {
        PickleValue v = Pk.load(Pk.of("ccopy_reg\n_reconstructor\n(cmymod\nThing\nc__builtin__\nobject\nNtR",
                "}(X\u0001\u0000\u0000\u0000aK\u0001ub."));
        assertEquals("<mymod.Thing state={'a': 1}>", PickleRepr.repr(v));
        v = Pk.load(Pk.of("ccopyreg\n_reconstructor\n(cmymod\nD\ncbuiltins\ndict\n}K\u0001K\u0002stR."));
        assertEquals("<mymod.D dict={1: 2}>", PickleRepr.repr(v));
        CheckpointException e = Pk.fail(Pk.of("ccopyreg\n_reconstructor\n(cmymod\nD\ncos\n_wrap_close\nNtR."));
        assertEquals(Reason.DANGEROUS, e.reason());
        assertTrue(e.getMessage().contains("with base os._wrap_close"), e.getMessage());
    }

    /** Records every callback, to check what the unpickler hands over and at which offset. */
    static final class Recorder extends DataOnlyHooks {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onGlobal(PGlobal global, long offset) {
            calls.add("global " + global + " @" + offset);
        }

        @Override
        public PickleValue persistentLoad(PickleValue pid, long offset) {
            calls.add("pid " + PickleRepr.repr(pid) + " @" + offset);
            return new PSymbol(new PGlobal("test", "storage"), pid instanceof PTuple t ? t : null);
        }

        @Override
        public PickleValue extension(long code, long offset) {
            calls.add("ext " + code + " @" + offset);
            return new PGlobal("ext", "code" + code);
        }

        @Override
        public PickleValue newObject(PickleValue cls, PTuple args, long offset) throws CheckpointException {
            calls.add("new " + cls + " " + PickleRepr.repr(args) + " @" + offset);
            return super.newObject(cls, args, offset);
        }

        @Override
        public PickleValue build(PickleValue target, PickleValue state, long offset) throws CheckpointException {
            calls.add("build " + PickleRepr.repr(state) + " @" + offset);
            return super.build(target, state, offset);
        }
    }

    @Test
    void hooksSeeEveryReferenceWithItsOffset() throws CheckpointException {
        Recorder r = new Recorder();
        byte[] data = Pk.of("\u0080\u0004(ccollections\nOrderedDict\n\u008c\u0001m\u008c\u0001C\u0093",
                "X\u0007\u0000\u0000\u0000storageK\u0000\u0086QPkey 1\n\u0082\u0007\u0083\u0000\u0001",
                "\u0084", Pk.u32(70000), "t.");
        PickleValue v = Pk.load(data, r, PickleLimits.DEFAULTS);
        assertEquals(List.of("global collections.OrderedDict @3", "global m.C @34",
                "pid ('storage', 0) @50", "pid 'key 1' @51", "ext 7 @58", "ext 256 @60", "ext 70000 @63"), r.calls);
        assertEquals("(collections.OrderedDict, m.C, test.storage('storage', 0), test.storage, ext.code7, "
                + "ext.code256, ext.code70000)", PickleRepr.repr(v));

        r.calls.clear();
        Pk.load(Pk.of("cm\nC\n)\u0081}b."), r, PickleLimits.DEFAULTS);
        assertEquals(List.of("global m.C @0", "new m.C () @6", "build {} @8"), r.calls);
    }

    @Test
    void hookErrorsGetTheRecordAndOpcode() {
        CheckpointException e = Pk.fail(Pk.of("\u0080\u0002X\u0001\u0000\u0000\u0000kQ."));
        assertEquals(Reason.INVALID, e.reason());
        assertEquals("archive/data.pkl @0x8: BINPERSID: persistent id in a plain pickle (str)", e.getMessage());
        assertEquals("archive/data.pkl @0x0: EXT2: pickle uses extension code 513, which no checkpoint registers",
                Pk.fail(Pk.of("\u0083\u0001\u0002.")).getMessage());

        PickleHooks ownRecord = new DataOnlyHooks() {
            @Override
            public PickleValue persistentLoad(PickleValue pid, long offset) throws CheckpointException {
                throw CheckpointException.at(Reason.INVALID, null, "other.pkl", 99, "bad storage");
            }
        };
        e = Pk.fail(Pk.of("NQ."), ownRecord, PickleLimits.DEFAULTS);
        assertEquals("other.pkl @0x63: BINPERSID: bad storage", e.getMessage());
    }

    @Test
    void hookBugsBecomeInvalidWithTheCause() {
        PickleHooks broken = new DataOnlyHooks() {
            @Override
            public PickleValue newObject(PickleValue cls, PTuple args, long offset) {
                return null;
            }

            @Override
            public PickleValue build(PickleValue target, PickleValue state, long offset) {
                throw new IndexOutOfBoundsException("oops");
            }
        };
        CheckpointException e = Pk.fail(Pk.of("cm\nC\n)\u0081."), broken, PickleLimits.DEFAULTS);
        assertEquals(Reason.INVALID, e.reason());
        assertEquals(6, e.offset());
        assertTrue(e.getMessage().contains("NEWOBJ: malformed pickle"), e.getMessage());
        e = Pk.fail(Pk.of("NN}b."), broken, PickleLimits.DEFAULTS);
        assertInstanceOf(IndexOutOfBoundsException.class, e.getCause());
    }

    @Test
    void buildOnPlainValuesIsInvalid() {
        CheckpointException e = Pk.fail(Pk.of("]}b."));
        assertEquals(Reason.INVALID, e.reason());
        assertTrue(e.getMessage().endsWith("@0x2: BUILD on a list, which has no state to set"), e.getMessage());
        assertEquals(Reason.INVALID, Pk.fail(Pk.of("}}b.")).reason());
        assertEquals(Reason.INVALID, Pk.fail(Pk.of("ccollections\nOrderedDict\n)R]b.")).reason());
        assertEquals(Reason.INVALID, Pk.fail(Pk.of("ccollections\nOrderedDict\n)R}K\u0001K\u0002sb.")).reason());
    }

    @Test
    void globalsAreNamesOnly() throws CheckpointException {
        PickleValue v = Pk.load(Pk.of("cos\nsystem\n."));
        assertEquals(new PGlobal("os", "system"), v);
        PickleValue dotted = Pk.load(Pk.of("\u008c\u0005torch\u008c\u000cnn.Module.fn\u0093."));
        assertEquals("torch.nn.Module.fn", ((PGlobal) dotted).qualified());
        PickleValue unicodeName = Pk.load(Pk.of("cm\u00c3\u00a9\nx\n."));
        assertEquals(new PGlobal("m\u00e9", "x"), unicodeName);
    }

    @Test
    void sharedReferencesStayShared() throws CheckpointException {
        PTuple t = assertInstanceOf(PTuple.class, Pk.load(Pk.of("]q\u0000h\u0000\u0086.")));
        assertSame(t.get(0), t.get(1));
        PStr s = assertInstanceOf(PStr.class, Pk.load(Pk.of("X\u0001\u0000\u0000\u0000a.")));
        assertEquals("a", s.value());
    }
}
