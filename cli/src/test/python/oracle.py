#!/usr/bin/env python3
"""Oracle for `pthconvert scan`: what torch.load would really import and call, recorded without running it.

Run by cli/src/test/java/org/pthconvert/cli/OracleIT.java during `mvn verify`; by hand:

    PTHCONVERT_VENV=/work/venv testdata/venv.sh && /work/venv/bin/python cli/src/test/python/oracle.py \\
        --root . --launcher bin/pthconvert --work /tmp/pthconvert-oracle

For every hostile file (testdata/hostile, its fuzz regressions) and a fixed, seeded family of mutants made
from them, it runs torch's own loader (`torch.load(weights_only=False)`: the zip reader, the legacy
stream of several pickles, the legacy tar) with a `pickle_module` whose Unpickler's `find_class` imports
nothing and returns recording stubs. The stubs record every global torch would import and every call it
would make: REDUCE/INST/OBJ (calling a class), NEWOBJ (`cls.__new__`), a `__setstate__`, `append` or
`extend` that a BUILD state planted on an instance and a later BUILD/APPEND calls, `_set_obj_state` of
torch's rebuild functions. Dtypes, layouts and storage types are the real (data-only) torch objects, so
torch's persistent_load reads storages as it always does; nothing from the file runs.

Then it runs `pthconvert scan --json` over all files in ONE invocation and checks that the scan covers the
oracle, file by file:
  - a file whose load imports any global outside the plain list is never `safe`;
  - a file whose load imports or calls a code-running callable is `dangerous`.
Output: one line per file, `PASS <file>` or `FAIL <file>: <problem>`, then `N passed, M failed`.
Longer runs: --mutants N (default 80) and --seed S (OracleIT passes -Dpthconvert.oracle.mutants=N).
"""

import argparse
import io
import json
import os
import pickle
import random
import subprocess
import sys
import tarfile
import warnings
import zipfile
import _compat_pickle
from pathlib import Path

try:
    import torch
    from torch._weights_only_unpickler import _get_allowed_globals
except ImportError as e:  # never skip: a missing package is a failure
    print(f"FAIL setup: Python package '{e.name}' is missing from {sys.executable}; run testdata/venv.sh", flush=True)
    print("0 passed, 1 failed", flush=True)
    sys.exit(1)

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

# The plain list: what torch's own safe loader allows, the plain data torch.save's default protocol writes
# with a global, and the standard value types pthconvert also treats as data (its README says which).
PLAIN = set(_get_allowed_globals()) | {
    "builtins.set", "builtins.frozenset", "builtins.list", "builtins.tuple", "builtins.dict", "builtins.bytes",
    "builtins.bytearray", "builtins.complex", "builtins.object", "builtins.slice", "builtins.range",
    "_codecs.encode", "collections.OrderedDict", "collections.Counter", "collections.defaultdict",
    "copyreg._reconstructor", "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist",
    "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
    "torch.jit._pickle.build_tensor_from_id", "torch.jit._pickle.restore_type_tag", "torch.nn.parameter.Buffer",
    "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.core.multiarray.scalar",
    "numpy._core.multiarray.scalar", "numpy.dtype", "numpy.ndarray", "argparse.Namespace", "types.SimpleNamespace",
    "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "pathlib.PosixPath",
    "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "decimal.Decimal", "uuid.UUID",
}
for _n in ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "_mkldnn", "jagged",
           "contiguous_format", "channels_last", "channels_last_3d", "preserve_format", "legacy_contiguous_format",
           "UntypedStorage"):
    PLAIN.add("torch." + _n)

# Callables that run code, load pickles or reach arbitrary attributes; whole modules of them.
CODE_MODULES = {"os", "posix", "nt", "subprocess", "pty", "runpy", "pickle", "_pickle", "marshal", "ctypes",
                "importlib", "code", "codeop", "shutil", "socket", "webbrowser", "sys", "multiprocessing", "pdb",
                "timeit", "profile", "cProfile", "trace", "_posixsubprocess", "asyncio", "threading", "_thread"}
CODE_CALLABLES = {"builtins.eval", "builtins.exec", "builtins.compile", "builtins.getattr", "builtins.setattr",
                  "builtins.delattr", "builtins.__import__", "builtins.open", "builtins.breakpoint", "builtins.input",
                  "functools.partial", "functools.reduce", "operator.attrgetter", "operator.methodcaller",
                  "_operator.attrgetter", "_operator.methodcaller", "torch.load", "torch.serialization.load",
                  "torch.jit.load", "numpy.load", "io.open", "_io.open", "types.FunctionType", "types.CodeType"}
CODE_NAMES = {"eval", "exec", "compile", "system", "popen", "__import__", "getattr", "setattr", "loads", "load",
              "_run_code", "run_path", "run_module", "check_call", "check_output", "call", "run", "Popen"}


def runs_code(q):
    """q is module + '.' + name as find_class got them; a dotted name walks attributes."""
    if q in CODE_CALLABLES:
        return True
    parts = q.split(".")
    if any(".".join(parts[:i]) in CODE_MODULES for i in range(1, len(parts))):
        return True
    return False


def runs_code_dotted(module, name):
    if runs_code(module + "." + name):
        return True
    if "." not in name:
        return False
    parts = name.split(".")
    if parts[-1] in CODE_NAMES:
        return True
    return any(runs_code(".".join(parts[i:])) or ("builtins." + ".".join(parts[i:])) in CODE_CALLABLES
               for i in range(len(parts) - 1))


class Record:
    def __init__(self):
        self.imports = []      # (module.name, code-running?)
        self.calls = []        # (kind, module.name)
        self.code_calls = []   # module.name of code-running callables called

    def imported(self, module, name):
        q = module + "." + name
        self.imports.append((q, runs_code_dotted(module, name)))

    def called(self, kind, q, code):
        self.calls.append((kind, q))
        if code:
            self.code_calls.append(q)


REC = Record()

# What is on the plain list is the real object, taken from a module that is already imported (never
# importing anything for the file): torch's rebuild functions, dtypes, builtins containers, OrderedDict.
# So the load follows CPython and torch exactly (a plain call with wrong arguments fails as it would;
# torch's _set_obj_state really sets what a state dict plants), and only what is off the list is a stub.


def real_plain():
    out = {}
    for q in PLAIN:
        module, _, name = q.rpartition(".")
        obj = sys.modules.get(module)
        for part in name.split("."):
            obj = getattr(obj, part, None)
        if obj is not None:
            out[q] = obj
    return out


REAL = real_plain()


def set_state(obj, state):
    """CPython's BUILD without __setstate__ (and torch's _set_obj_state): __dict__ update, slot setattr."""
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    for part, dict_update in ((state, True), (slots, False)):
        if isinstance(part, Stub):
            part = part.__dict__.get("_oracle_items", {})
        if not isinstance(part, dict):
            continue
        for k, v in part.items():
            if not isinstance(k, str):
                continue
            if dict_update or k != "__class__":
                obj.__dict__[k] = v
            elif isinstance(v, type) and issubclass(v, Stub):
                try:
                    obj.__class__ = v
                except TypeError:
                    pass


class StubMeta(type):
    def __call__(cls, *args, **kwargs):   # REDUCE, INST, OBJ: calling the class or function
        REC.called("call", cls._q, cls._code)
        return object.__new__(cls)


class Stub(metaclass=StubMeta):
    _q = "?"
    _code = False

    def __new__(cls, *args, **kwargs):    # NEWOBJ, NEWOBJ_EX: cls.__new__(cls, *args)
        REC.called("new", cls._q, cls._code)
        return object.__new__(cls)

    def __setstate__(self, state):        # BUILD, unless the state planted its own __setstate__
        set_state(self, state)

    def append(self, value):
        self.__dict__.setdefault("_oracle_list", []).append(value)

    def extend(self, values):
        self.__dict__.setdefault("_oracle_list", []).extend(values)

    def __setitem__(self, key, value):
        self.__dict__.setdefault("_oracle_items", {})[key] = value

    def __call__(self, *args, **kwargs):  # calling an instance runs its class's __call__
        REC.called("call", "<a " + type(self)._q + " object>", True)
        return self


STUBS = {}


def stub(module, name):
    q = module + "." + name
    if q not in STUBS:
        STUBS[q] = StubMeta(name.replace(".", "_") or "_", (Stub,), {"_q": q, "_code": runs_code_dotted(module, name)})
    return STUBS[q]


class RecordingUnpickler(pickle._Unpickler):
    """The pure-Python unpickler (same opcodes and BUILD/APPEND semantics as the C one, with self.proto)."""

    def find_class(self, module, name):
        if self.proto < 3 and self.fix_imports:
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        REC.imported(module, name)
        q = module + "." + name
        return REAL[q] if q in REAL else stub(module, name)


class RecordingPickleModule:
    """What torch.load(pickle_module=...) uses: Unpickler and load (legacy streams call load directly)."""
    Unpickler = RecordingUnpickler
    __name__ = "oracle_pickle"

    @staticmethod
    def load(f, **kwargs):
        return RecordingUnpickler(f, **kwargs).load()


def oracle(path):
    """Record what torch.load would import and call for one file."""
    global REC
    REC = Record()
    error = None
    try:
        with zipfile.ZipFile(path) as z:
            if any(n.endswith("constants.pkl") for n in z.namelist()):
                return REC, "torchscript (torch.jit.load, not the unpickler)"
    except Exception:
        pass
    try:
        torch.load(str(path), weights_only=False, pickle_module=RecordingPickleModule, map_location="cpu")
    except BaseException as e:  # what ran before the error is what torch.load would have run
        error = f"{type(e).__name__}: {str(e)[:120]}"
    return REC, error


# ---------------------------------------------------------------------------------------------- mutants

POOL = [("os", "system"), ("__builtin__", "eval"), ("posix", "system"), ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor_v2"), ("__main__", "Evil"), ("__builtin__", "getattr"),
        ("copy_reg", "_reconstructor"), ("__builtin__", "set"), ("argparse", "Namespace"), ("functools", "partial"),
        ("commands", "getoutput"), ("torch.nn.modules.linear", "Linear"), ("__builtin__", "xrange"),
        ("_codecs", "encode"), ("cPickle", "loads"), ("__builtin__", "object"), ("torch", "Size"),
        ("__builtin__", "bytearray"), ("pytorch_lightning.callbacks", "ModelCheckpoint")]


def globals_at(pkl):
    """(start, end) byte ranges of GLOBAL/INST argument lines."""
    import pickletools
    out = []
    try:
        for op, arg, pos in pickletools.genops(pkl):
            if op.name in ("GLOBAL", "INST"):
                end = pkl.index(b"\n", pkl.index(b"\n", pos + 1) + 1) + 1
                out.append((pos + 1, end))
    except Exception:
        pass
    return out


def mutate(data, rng):
    kind = rng.choice(["global", "global", "global", "flip", "cut"])
    if kind == "global":
        spans = globals_at(data)
        if spans:
            a, b = rng.choice(spans)
            m, n = rng.choice(POOL)
            return data[:a] + f"{m}\n{n}\n".encode() + data[b:], f"global->{m}.{n}"
    if kind == "cut" and len(data) > 4:
        at = rng.randrange(2, len(data))
        return data[:at], f"cut@{at}"
    at = rng.randrange(2, len(data)) if len(data) > 2 else 0
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1:], f"flip@{at}"


def make_mutants(sources, out, count, seed):
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        src = sources[rng.randrange(len(sources))]
        raw = src.read_bytes()
        dst = out / f"m{i:03d}_{src.stem}.pth"
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                infos = z.infolist()
                records = [(info.filename, z.read(info)) for info in infos]
            pkl_at = next(j for j, (n, _) in enumerate(records) if n.endswith("data.pkl"))
            mutated, how = mutate(records[pkl_at][1], rng)
            records[pkl_at] = (records[pkl_at][0], mutated)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
                for n, d in records:
                    z.writestr(n, d)
            dst.write_bytes(buf.getvalue())
        except (zipfile.BadZipFile, StopIteration, KeyError, ValueError, OSError, EOFError, NotImplementedError):
            if len(raw) < 3:
                continue
            mutated, how = mutate(raw, rng)
            dst.write_bytes(mutated)
        made.append((dst, f"{src.name} {how}"))
    return made


# ---------------------------------------------------------------------------------------------- check

def scan(launcher, files, work):
    """One `pthconvert scan --json` over every file (one JVM): file -> report."""
    proc = subprocess.run([str(launcher), "scan", "--json", *[str(f) for f in files]], capture_output=True,
                          text=True, timeout=600, cwd=work)
    if proc.returncode not in (0, 1, 3):
        raise RuntimeError(f"scan exited {proc.returncode}: {proc.stderr.strip()[:500]}")
    return {r["file"]: r for r in json.loads(proc.stdout)}


def covers(report, rec):
    """Problems: where the scan says less than the oracle saw."""
    problems = []
    verdict = report["verdict"]  # "unreadable" is not safe; a dangerous call found is always "dangerous"
    code = sorted({q for q, c in rec.imports if c} | set(rec.code_calls))
    outside = sorted({q for q, _ in rec.imports if q not in PLAIN})
    if code and report["verdict"] != "dangerous":
        problems.append(f"torch.load would import or call {', '.join(code[:4])} but scan says {verdict}")
    if outside and verdict == "safe":
        problems.append(f"torch.load would import {', '.join(outside[:4])} but scan says safe")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--launcher", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--mutants", type=int, default=80)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("files", nargs="*", type=Path, help="only these files (default: the hostile corpus)")
    args = ap.parse_args()
    args.root, args.launcher, args.work = args.root.resolve(), args.launcher.resolve(), args.work.resolve()
    args.files = [f.resolve() for f in args.files]
    args.work.mkdir(parents=True, exist_ok=True)

    hostile = args.root / "testdata" / "hostile"
    corpus = args.files or sorted(p for p in list(hostile.iterdir()) + list((hostile / "regressions").iterdir())
                                  if p.is_file() and p.suffix not in (".md", ".tsv", ".py"))
    plain = sorted((args.root / "testdata" / "fixtures").glob("plain_*.pth"))
    sources = [p for p in corpus if p.stat().st_size < (1 << 20)] + plain
    mutants = make_mutants(sources, args.work / "mutants", args.mutants, args.seed) if not args.files else []
    files = [(p, p.name) for p in corpus + plain] + [(p, how) for p, how in mutants]

    recorded = {}
    for path, _ in files:
        recorded[path] = oracle(path)
    markers = list(Path("/tmp").glob("pthconvert-pwned-*"))
    reports = scan(args.launcher, [p for p, _ in files], args.work)

    passed = failed = 0
    for path, how in files:
        rec, error = recorded[path]
        report = reports.get(str(path))
        problems = ["no scan report"] if report is None else covers(report, rec)
        if problems:
            failed += 1
            print(f"FAIL {how}: {'; '.join(problems)} (torch: {error or 'loaded'})", flush=True)
        else:
            passed += 1
            print(f"PASS {how}: {report['pickle_verdict']}, {len(rec.imports)} imports, {len(rec.calls)} calls",
                  flush=True)
    if markers:
        failed += 1
        print(f"FAIL markers: a payload ran: {markers}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
