package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.safety.Allowlist;
import org.pthconvert.safety.Allowlist.Role;
import org.pthconvert.safety.AuditEntry;
import org.pthconvert.safety.GlobalPolicy;
import org.pthconvert.safety.ScanReport;
import org.pthconvert.safety.Verdict;
import org.pthconvert.testdata.Fixtures;
import org.pthconvert.torch.hooks.TorchHooks;

/** The one allowlist, the policy and the torch interpreter agree; safe means default-deny. */
class AllowlistContractTest {

    private static PGlobal global(String q) {
        int dot = q.lastIndexOf('.');
        return new PGlobal(q.substring(0, dot), q.substring(dot + 1));
    }

    /** What the interpreter records for calling {@code q} with no arguments (its errors about arguments aside). */
    private static Verdict interpreted(String q) {
        TorchHooks hooks = new TorchHooks(Path.of("x.pth"), "data.pkl");
        try {
            hooks.call(global(q), PTuple.EMPTY, 0);
        } catch (CheckpointException e) {
            // wrong arity for a real rebuild function: irrelevant here, the audit already has the call
        }
        return hooks.audit().verdict();
    }

    @Test
    void everyCallTheInterpreterEvaluatesIsSafeAndNothingElse() {
        List<String> wrong = new ArrayList<>();
        for (String q : Allowlist.all()) {
            boolean called = Allowlist.role(q).orElseThrow().called();
            Verdict policy = GlobalPolicy.call(global(q).module(), global(q).name());
            if ((policy == Verdict.SAFE) != called || interpreted(q) != policy) {
                wrong.add(q + " " + Allowlist.role(q) + " policy=" + policy + " interpreted=" + interpreted(q));
            }
            assertEquals(Verdict.SAFE, GlobalPolicy.reference(global(q).module(), global(q).name()), q);
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void namedOnlyGlobalsCalledAreKeptInert() throws CheckpointException {
        TorchHooks hooks = new TorchHooks(Path.of("x.pth"), "data.pkl");
        PickleValue v = hooks.call(new PGlobal("torch", "float32"), PTuple.EMPTY, 0);
        assertInstanceOf(PSymbol.class, v);
        assertEquals(Verdict.IMPORTS_CODE, hooks.audit().verdict());
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch.nn.modules.linear.Linear", "torch.utils.data.DataLoader", "torch.foo",
            "__torch__.Net", "pytorch_lightning.callbacks.ModelCheckpoint", "builtins.print", "antigravity.fly",
            "collections.UserDict", "numpy.random.RandomState"})
    void nothingIsTrustedByPrefix(String q) {
        PGlobal g = global(q);
        assertEquals(Verdict.IMPORTS_CODE, GlobalPolicy.reference(g.module(), g.name()), q);
        assertEquals(Verdict.IMPORTS_CODE, GlobalPolicy.newObject(g.module(), g.name()), q);
        assertEquals(Verdict.DANGEROUS, GlobalPolicy.call(g.module(), g.name()), q);
    }

    @ParameterizedTest
    @ValueSource(strings = {"os.system", "posix.system", "nt.system", "os.path.join", "subprocess.Popen",
            "builtins.eval", "builtins.exec", "builtins.getattr", "builtins.__import__", "builtins.compile",
            "functools.partial", "pickle.loads", "_pickle.loads", "runpy._run_code", "torch.load", "marshal.loads",
            "importlib.import_module", "operator.attrgetter", "torch.hub.load", "numpy.load"})
    void codeRunningCallablesAreDangerousEvenAsReferences(String q) {
        PGlobal g = global(q);
        assertEquals(Verdict.DANGEROUS, GlobalPolicy.reference(g.module(), g.name()), q);
        assertEquals(Verdict.DANGEROUS, GlobalPolicy.newObject(g.module(), g.name()), q);
    }

    @Test
    void dottedNamesAreJudgedByTheAttributePathTheyWalk() {
        assertTrue(GlobalPolicy.runsCode("posixpath", "os.system"));
        assertTrue(GlobalPolicy.runsCode("torch", "serialization.pickle.loads"));
        assertTrue(GlobalPolicy.runsCode("collections", "abc.__builtins__.eval"));
        assertTrue(!GlobalPolicy.runsCode("torch.nn.modules.profile", "Config"), "a package module named like a "
                + "dangerous one is judged by its own path");
        assertEquals(Verdict.IMPORTS_CODE, GlobalPolicy.reference("torch", "nn.Linear"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain_bytes_empty.pth", "plain_bytes.pth", "plain_bytearray.pth", "plain_range.pth",
            "plain_set.pth", "plain_frozenset.pth", "plain_complex.pth", "plain_slice.pth", "plain_object.pth",
            "sample.pth", "state_dict.pth", "subclass_param.pth", "sparse.pth", "quantized.pth", "meta_tensor.pth"})
    void plainDataTorchSaveWritesIsSafe(String file) {
        ScanReport r = Scanner.scan(Fixtures.file(file));
        assertEquals(Verdict.SAFE, r.verdict(), file + ": " + r.entries());
        assertNull(r.error(), file);
    }

    @Test
    void noFixtureIsDangerous() {
        for (String file : Fixtures.manifestFiles()) {
            ScanReport r = Scanner.scan(Fixtures.file(file));
            assertNotEquals(Verdict.DANGEROUS, r.verdict(), file + ": " + r.entries());
        }
    }

    @Test
    void callsThatAreNotReduceAreReportedWhereTheyHappen() {
        ScanReport build = Scanner.scan(Fixtures.hostile("build_setstate_planted.pth"));
        assertTrue(build.entries().stream().anyMatch(e -> e.action().equals("call") && e.global().equals("os.system")
                && e.verdict() == Verdict.DANGEROUS), build.entries().toString());
        ScanReport param = Scanner.scan(Fixtures.hostile("param_state_setstate.pth"));
        assertTrue(param.entries().stream().anyMatch(e -> e.action().equals("call") && e.global().equals("os.system")),
                param.entries().toString());
        ScanReport extend = Scanner.scan(Fixtures.hostile("extend_planted.pth"));
        assertTrue(extend.entries().stream().anyMatch(e -> e.action().equals("call")
                && e.global().equals("subprocess.check_call")), extend.entries().toString());
        ScanReport setitem = Scanner.scan(Fixtures.hostile("setitem_unlisted.pth"));
        AuditEntry e = setitem.entries().stream().filter(x -> x.global().equals("__main__.Table.__setitem__"))
                .findFirst().orElseThrow(() -> new AssertionError(setitem.entries().toString()));
        assertEquals(Verdict.IMPORTS_CODE, e.verdict());
    }

    @Test
    void python2NamesAreJudgedAsCPythonImportsThem() {
        ScanReport r = Scanner.scan(Fixtures.hostile("compat_cpickle_loads.pth"));
        assertTrue(r.entries().stream().anyMatch(e -> e.global().equals("pickle.loads")
                && e.verdict() == Verdict.DANGEROUS), r.entries().toString());
        ScanReport range = Scanner.scan(Fixtures.file("plain_range.pth"));
        assertTrue(range.entries().stream().anyMatch(e -> e.global().equals("builtins.range")), range.entries()
                .toString());
        assertEquals(Role.PLAIN_CALL, Allowlist.role("builtins.range").orElseThrow());
    }
}
