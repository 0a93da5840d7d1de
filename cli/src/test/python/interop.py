#!/usr/bin/env python3
"""Interop suite: every output pthconvert writes, read back by that format's reference reader.

Run by cli/src/test/java/org/pthconvert/cli/InteropIT.java during `mvn verify`, with the venv that
testdata/venv.sh makes; by hand:

    testdata/venv.sh && .venv/bin/python cli/src/test/python/interop.py \\
        --root . --launcher bin/pthconvert --work /tmp/pthconvert-interop

It converts every fixture (testdata/fixtures, both selections) with the real command line to every
format the CLI knows, reads each output with the format's reference reader and compares every
tensor (name, dtype, shape, bytes) with the fixture manifest and with what torch.load gives; then it
checks what `convert` promises beyond that: byte-identity with safetensors' own writer, --dtype
casts, --max-shard-size, --dedupe, npz widening / --raw-bits / --compress, awkward names, refusals
and the pth2* launchers.

Output: one line per check, `PASS <check>` or `FAIL <check>: <problems>`, then `N passed, M failed`.
Exit 0 only when nothing failed. Nothing is skipped: a missing package, fixture, reader or checker
is a failure.
"""

import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import types
import pickle
import random
import warnings
import zipfile
from pathlib import Path

SETUP_HINT = ("run testdata/venv.sh (it makes .venv with torch 2.13, numpy, safetensors, h5py, onnx, "
              "onnxruntime) and use .venv/bin/python")

try:
    import numpy as np
    import torch
    import h5py
    import safetensors
    import safetensors.torch
    from safetensors import safe_open
    import onnx
    import onnx.numpy_helper
    import onnxruntime
except ImportError as e:  # never skip: a missing reader is a failure
    print(f"FAIL setup: Python package '{e.name}' is missing from {sys.executable}; {SETUP_HINT}", flush=True)
    print("0 passed, 1 failed", flush=True)
    sys.exit(1)

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

SELECTS = ("auto", "all")
CLI_TIMEOUT = 180


# ------------------------------------------------------------------------------------------------
# reporting
# ------------------------------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, name, problems, detail=""):
        problems = [p for p in problems if p]
        if problems:
            self.failed += 1
            shown = problems[:6]
            more = f" (+{len(problems) - 6} more)" if len(problems) > 6 else ""
            line = f"FAIL {name}: " + "; ".join(shown) + more
            self.failures.append(line)
        else:
            self.passed += 1
            line = f"PASS {name}" + (f" ({detail})" if detail else "")
        print(line, flush=True)

    def error(self, name, exc):
        self.check(name, [f"checker error {type(exc).__name__}: {exc}"])


REPORT = Report()


# ------------------------------------------------------------------------------------------------
# tensors: bytes, names, selection (the rules of testdata/generate.py, which wrote manifest.tsv)
# ------------------------------------------------------------------------------------------------

FLOAT8 = [getattr(torch, n) for n in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
                                      "float8_e8m0fnu") if hasattr(torch, n)]
QUANTIZED = {torch.quint8, torch.qint8, torch.qint32}
INT_OF_SIZE = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def dname(dt):
    return str(dt).replace("torch.", "")


def tensor_bytes(t):
    """C-contiguous little-endian bytes (quantized tensors: their int_repr)."""
    t = t.detach()
    if t.is_quantized:
        t = t.int_repr()
    t = t.resolve_conj().resolve_neg()
    if t.numel() == 0:
        return b""
    # a fresh C-order copy: contiguous() keeps the odd stride of a dimension of size 1, which view(uint8) refuses
    return torch.empty(t.shape, dtype=t.dtype).copy_(t).reshape(-1).view(torch.uint8).numpy().tobytes()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def has_data(t):
    return t.layout == torch.strided and not t.is_meta


def walk(obj, prefix=""):
    def join(seg):
        return f"{prefix}.{seg}" if prefix else str(seg)

    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk(v, join(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from walk(v, join(i))
    elif isinstance(obj, (str, bytes, bytearray, int, float, complex, bool, type(None), set, frozenset)):
        return
    elif isinstance(obj, (np.ndarray, np.generic)):
        return
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        for k, v in vars(obj).items():
            yield from walk(v, join(k))


AUTO_KEYS = ["state_dict", "model_state_dict", "model", "module", "net", "network", "ema", "params"]


def strip_prefix(pairs):
    names = [n for n, _ in pairs]
    for p in ("module.", "_orig_mod."):
        if names and all(n.startswith(p) for n in names):
            return [(n[len(p):], t) for n, t in pairs]
    return pairs


def select(obj, mode):
    if isinstance(obj, (torch.nn.Module, torch.jit.ScriptModule)):
        pairs = list(obj.state_dict().items())
    elif mode == "all":
        pairs = list(walk(obj))
    elif isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        pairs = [(str(k), v) for k, v in obj.items()]
    else:
        pairs = None
        if isinstance(obj, dict):
            for key in AUTO_KEYS:
                if key in obj and any(True for _ in walk(obj[key])):
                    pairs = list(walk(obj[key]))
                    break
        if pairs is None:
            pairs = list(walk(obj))
    return strip_prefix(pairs)


class _StubUnpickler(pickle.Unpickler):
    """Loads torch.save(model) of classes defined in a script's __main__ (trusted fixtures only): each
    such class becomes an empty nn.Module subclass, which BUILD fills with the saved state."""
    stubs = {}

    def find_class(self, module, name):
        if module == "__main__":
            return self.stubs.setdefault(name, type(name, (torch.nn.Module,), {"__module__": "__main__"}))
        return super().find_class(module, name)


STUB_PICKLE = types.ModuleType("interop_stub_pickle")
STUB_PICKLE.Unpickler = _StubUnpickler
STUB_PICKLE.load = lambda f, **kw: _StubUnpickler(f, **kw).load()


def is_torchscript(path):
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        return any(n.split("/", 1)[-1].startswith("code/") for n in z.namelist())


def load_input(path):
    """What torch gives for an input fixture (testdata/inputs): the whole state, as torch assembles it."""
    import tempfile
    from safetensors.torch import load_file
    if path.is_dir() and (path / ".metadata").exists():
        from torch.distributed.checkpoint.format_utils import dcp_to_torch_save
        with tempfile.TemporaryDirectory() as tmp:
            dcp_to_torch_save(str(path), str(Path(tmp) / "whole.pt"))
            return torch.load(Path(tmp) / "whole.pt", weights_only=False)
    if path.is_dir() and not any(path.glob("*.index.json")):
        # one unindexed weights file: model.safetensors first, as transformers' from_pretrained
        if (path / "model.safetensors").exists():
            return load_file(str(path / "model.safetensors"))
        return torch.load(path / "pytorch_model.bin", weights_only=True)
    if path.is_dir() or path.name.endswith(".index.json"):
        index = path if path.is_file() else sorted(path.glob("*.index.json"))[0]
        merged = collections.OrderedDict()
        for shard in sorted(set(json.loads(index.read_text())["weight_map"].values())):
            f = index.parent / shard
            merged.update(load_file(str(f)) if f.suffix == ".safetensors" else torch.load(f, weights_only=True))
        return merged
    return load_file(str(path))


def torch_load(path):
    """What torch gives for a (trusted) fixture: the safe loader where it works, else the full one."""
    if path.is_dir() or path.suffix == ".safetensors" or path.name.endswith(".index.json"):
        return load_input(path)
    if is_torchscript(path):
        return torch.jit.load(str(path))
    try:
        return torch.load(path, weights_only=True)
    except Exception:
        return torch.load(path, weights_only=False, pickle_module=STUB_PICKLE)


class Ref:
    """torch's view of one fixture under one selection: named tensors with data, and the names that
    have none (meta, sparse), which pthconvert must refuse or skip."""

    def __init__(self, pairs):
        self.tensors = collections.OrderedDict((n, t) for n, t in pairs if has_data(t))
        self.no_data = [n for n, t in pairs if not has_data(t)]


# ------------------------------------------------------------------------------------------------
# fixtures' TSVs
# ------------------------------------------------------------------------------------------------

def read_tsv(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


# ------------------------------------------------------------------------------------------------
# running the CLI
# ------------------------------------------------------------------------------------------------

class Run:
    def __init__(self, argv, rc, out, err, secs):
        self.argv, self.rc, self.out, self.err, self.secs = argv, rc, out, err, secs

    def err_lines(self):
        return [l for l in self.err.split("\n") if l.strip()]

    def why(self):
        first = self.err_lines()[:2]
        return f"exit {self.rc}, stderr: {' | '.join(first) if first else '(empty)'}"


class Cli:
    def __init__(self, launcher, bindir, jobs):
        self.launcher = launcher
        self.bindir = bindir
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="cli")
        self.count = 0
        self.busy = 0.0
        self.lock = threading.Lock()

    def submit(self, args, cwd, program=None):
        prog = str(self.bindir / program) if program else str(self.launcher)
        return self.pool.submit(self._run, [prog] + [str(a) for a in args], cwd)

    def submit_after(self, make, args, cwd):
        """make() first, on the worker (a checkpoint built with torch for this task), then the CLI."""
        def run():
            make()
            return self._run([str(self.launcher)] + [str(a) for a in args], cwd)
        return self.pool.submit(run)

    def _run(self, argv, cwd):
        start = time.monotonic()
        try:
            p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=CLI_TIMEOUT)
            rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            rc, out, err = None, "", f"timed out after {CLI_TIMEOUT} s"
        secs = time.monotonic() - start
        with self.lock:
            self.count += 1
            self.busy += secs
        return Run(argv, rc, out, err, secs)


def parse_json(run):
    try:
        return json.loads(run.out), None
    except ValueError as e:
        return None, f"--json printed no JSON document on stdout ({e}): {run.out[:200]!r}"


def leftovers(folder, wanted):
    """Anything in the output folder besides the output itself (temp files, partial files)."""
    return [f"left behind in the output folder: {n}" for n in sorted(os.listdir(folder)) if n not in wanted]


# ------------------------------------------------------------------------------------------------
# formats: what pthconvert should write for a torch tensor, and what the reference reader returns
# ------------------------------------------------------------------------------------------------
# Every writer the CLI knows (`--to` lists them) must have an entry in FORMATS, or the suite fails. An entry
# is a class with:
#   name, ext              the writer's name and file extension
#   refuses(t)             True for torch tensors the format cannot hold (they must be skipped/refused)
#   expect(t, opts)        (dtype label, shape list, bytes) the reference reader should return for t
#   read(path, opts)       ({name: (dtype label, shape list, bytes)}, [format-level problems]) through the
#                          format's reference reader (h5py for HDF5, onnx.load / onnx.numpy_helper for ONNX, ...)
# Every fixture is then converted to it under both selections and compared tensor by tensor.

class Safetensors:
    name = "safetensors"
    ext = ".safetensors"

    @staticmethod
    def refuses(t):
        return t.dtype in (torch.complex128, torch.complex32) or t.dtype in QUANTIZED

    @staticmethod
    def expect(t, opts):
        return dname(t.dtype), list(t.shape), tensor_bytes(t)

    @staticmethod
    def read(path, opts):
        """safetensors.torch.load_file, as the issue names it; metadata through safe_open."""
        tensors = safetensors.torch.load_file(str(path))
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata()
        problems = []
        want_meta = {"format": "pt", **opts.get("metadata", {})}
        if opts.get("check_metadata", True) and meta != want_meta:
            problems.append(f"__metadata__ is {meta}, want {want_meta}")
        return {k: (dname(v.dtype), list(v.shape), tensor_bytes(v)) for k, v in tensors.items()}, problems


NPY_DESCR = {
    torch.float64: "<f8", torch.float32: "<f4", torch.float16: "<f2", torch.int64: "<i8", torch.int32: "<i4",
    torch.int16: "<i2", torch.int8: "|i1", torch.uint8: "|u1", torch.bool: "|b1", torch.complex64: "<c8",
    torch.complex128: "<c16", torch.uint16: "<u2", torch.uint32: "<u4", torch.uint64: "<u8",
}


class Npz:
    name = "npz"
    ext = ".npz"

    @staticmethod
    def refuses(t):
        return t.dtype in QUANTIZED

    @staticmethod
    def expect(t, opts):
        if t.dtype in NPY_DESCR:
            return NPY_DESCR[t.dtype], list(t.shape), tensor_bytes(t)
        if t.dtype == torch.bfloat16 or t.dtype in FLOAT8:
            if opts.get("raw_bits"):
                return ("<u2" if t.element_size() == 2 else "|u1"), list(t.shape), tensor_bytes(t)
            return "<f4", list(t.shape), tensor_bytes(t.float())  # exact widening, torch's bits
        if t.dtype == torch.complex32:
            return "<c8", list(t.shape), tensor_bytes(t.to(torch.complex64))
        raise ValueError(f"no npz expectation for {t.dtype}")

    @staticmethod
    def read(path, opts):
        """numpy.load(allow_pickle=False), as the issue names it; member layout through zipfile."""
        problems = []
        want_method = zipfile.ZIP_DEFLATED if opts.get("compress") else zipfile.ZIP_STORED
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            members = [i.filename for i in infos]
            if len(set(members)) != len(members):
                problems.append("duplicate zip members")
            for i in infos:
                if not i.filename.endswith(".npy"):
                    problems.append(f"zip member {i.filename!r} is not a .npy")
                if i.compress_type != want_method and i.file_size > 0:
                    problems.append(f"member {i.filename!r} has compression {i.compress_type}, want {want_method}")
        out = {}
        with np.load(str(path), allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(m[:-4] for m in members if m.endswith(".npy")):
                problems.append("np.load keys differ from the member names minus .npy")
            for k in npz.files:
                a = npz[k]
                if not a.flags["C_CONTIGUOUS"]:
                    problems.append(f"{k!r}: stored in Fortran order")
                out[k] = (a.dtype.str, list(a.shape), np.ascontiguousarray(a).tobytes())
        return out, problems


H5_DTYPE = {
    torch.float64: "float64", torch.float32: "float32", torch.float16: "float16", torch.int64: "int64",
    torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool",
    torch.complex64: "complex64", torch.complex128: "complex128", torch.uint16: "uint16", torch.uint32: "uint32",
    torch.uint64: "uint64",
}


class Hdf5:
    name = "hdf5"
    ext = ".h5"

    @staticmethod
    def refuses(t):
        return t.dtype in QUANTIZED

    @staticmethod
    def expect(t, opts):
        if t.dtype in H5_DTYPE:
            return H5_DTYPE[t.dtype], list(t.shape), tensor_bytes(t)
        if t.dtype == torch.bfloat16 or t.dtype in FLOAT8:
            if opts.get("raw_bits"):
                return ("uint16" if t.element_size() == 2 else "uint8"), list(t.shape), tensor_bytes(t)
            return "float32", list(t.shape), tensor_bytes(t.float())  # exact widening, torch's bits
        if t.dtype == torch.complex32:
            return "complex64", list(t.shape), tensor_bytes(t.to(torch.complex64))
        raise ValueError(f"no hdf5 expectation for {t.dtype}")

    @staticmethod
    def read(path, opts):
        """h5py, as the issue names it: every dataset found by its 'name' attribute, compared as numpy reads it;
        dotted names at their group path (or, when they cannot be one, under an _unplaced group)."""
        problems = []
        out = {}
        flat = "--flat" in opts.get("flags", [])
        with h5py.File(str(path), "r") as f:
            for key in ("source", "selection", "pthconvert_version"):
                if not isinstance(f.attrs.get(key), str):
                    problems.append(f"root attribute {key!r} is {f.attrs.get(key)!r}, want a str")
            for k, v in opts.get("metadata", {}).items():
                if f.attrs.get(k) != v:
                    problems.append(f"root attribute {k!r} is {f.attrs.get(k)!r}, want {v!r}")
            datasets = []
            f.visititems(lambda p, o: datasets.append(o) if isinstance(o, h5py.Dataset) else None)
            for d in datasets:
                name = d.attrs.get("name")
                if not isinstance(name, str):
                    problems.append(f"{d.name}: attribute 'name' is {name!r}, want a str")
                    continue
                if name in out:
                    problems.append(f"two datasets carry name {name!r}")
                if not isinstance(d.attrs.get("torch_dtype"), str):
                    problems.append(f"{d.name}: attribute 'torch_dtype' is {d.attrs.get('torch_dtype')!r}")
                natural = "/" + (name if flat else name.replace(".", "/"))
                if d.name != natural and not d.name.split("/")[1].startswith("_unplaced"):
                    problems.append(f"{name!r} is at {d.name}, want {natural} or the _unplaced group")
                if opts.get("compress") and d.shape and d.size > 0 and d.compression != "gzip":
                    problems.append(f"{name!r}: compression {d.compression}, want gzip")
                a = d[()]
                if isinstance(a, np.ndarray):
                    out[name] = (a.dtype.name, list(a.shape), np.ascontiguousarray(a).tobytes())
                else:  # a scalar dataset gives a numpy scalar
                    a = np.asarray(a)
                    out[name] = (a.dtype.name, [], a.tobytes())
        return out, problems


def qparams(t):
    """A quantized tensor's scheme and parameters, as a label part (empty for other tensors)."""
    if not t.is_quantized:
        return ""
    if t.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        return f" {t.qscheme()} {t.q_scale()!r} {t.q_zero_point()}"
    return (f" {t.qscheme()} {t.q_per_channel_scales().tolist()!r} {t.q_per_channel_zero_points().tolist()!r} "
            f"axis {t.q_per_channel_axis()}")


class Pth:
    name = "pth"
    ext = ".pth"

    @staticmethod
    def refuses(t):
        return False

    @staticmethod
    def expect(t, opts):
        return dname(t.dtype) + qparams(t), list(t.shape), tensor_bytes(t)

    @staticmethod
    def read(path, opts):
        """torch.load(weights_only=True), and again with mmap=True: both must give the same state dict."""
        problems = []
        sd = torch.load(str(path), weights_only=True)
        mm = torch.load(str(path), weights_only=True, mmap=True)
        if type(sd) is not collections.OrderedDict:
            problems.append(f"torch.load gives a {type(sd).__name__}, want an OrderedDict (as state_dict())")
        with zipfile.ZipFile(path) as z:
            top = Path(path).stem
            names = z.namelist()
            want_first = [f"{top}/data.pkl", f"{top}/.format_version", f"{top}/.storage_alignment", f"{top}/byteorder"]
            if names[:4] != want_first or names[-2:] != [f"{top}/version", f"{top}/.data/serialization_id"]:
                problems.append(f"records {names[:4]} ... {names[-2:]} are not torch's order under {top}/")
            for i in z.infolist():
                if i.compress_type != zipfile.ZIP_STORED:
                    problems.append(f"record {i.filename} is compressed")
        out = {}
        for k, v in sd.items():
            if type(v) is not torch.Tensor:
                problems.append(f"{k!r} is a {type(v).__name__}, want a plain tensor")
            if v.requires_grad:
                problems.append(f"{k!r} requires grad")
            out[k] = (dname(v.dtype) + qparams(v), list(v.shape), tensor_bytes(v))
        if list(mm) != list(sd):
            problems.append("mmap=True gives other names")
        for k, v in mm.items():
            if k in out and (dname(v.dtype) + qparams(v), list(v.shape), tensor_bytes(v)) != out[k]:
                problems.append(f"{k!r}: mmap=True gives other values")
        return out, problems


# ONNX data_type codes -> torch dtype names (onnx/onnx.proto TensorProto.DataType)
ONNX_TYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 9: "bool",
              10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128",
              16: "bfloat16", 17: "float8_e4m3fn", 18: "float8_e4m3fnuz", 19: "float8_e5m2", 20: "float8_e5m2fnuz",
              24: "float8_e8m0fnu"}
# the IR version that introduced a dtype, where it is above pthconvert's minimum of 4
ONNX_MIN_IR = {17: 9, 18: 9, 19: 9, 20: 9, 24: 12}


class Onnx:
    name = "onnx"
    ext = ".onnx"

    @staticmethod
    def refuses(t):
        return t.dtype in QUANTIZED or dname(t.dtype) in ("complex32", "float4_e2m1fn_x2")

    @staticmethod
    def expect(t, opts):
        return dname(t.dtype), list(t.shape), tensor_bytes(t)

    @staticmethod
    def read(path, opts):
        """onnx.checker.check_model(full_check=True), onnx.load and onnx.numpy_helper.to_array, external data too."""
        problems = []
        onnx.checker.check_model(str(path), full_check=True)
        m = onnx.load(str(path), load_external_data=False)
        codes = {t.data_type for t in m.graph.initializer}
        want_ir = max([4] + [ONNX_MIN_IR.get(c, 4) for c in codes])
        if m.ir_version != want_ir:
            problems.append(f"ir_version {m.ir_version}, want the lowest its dtypes need: {want_ir}")
        if len(m.opset_import) != 1 or not m.graph.name or m.producer_name != "pthconvert":
            problems.append(f"want one opset_import, a graph name and producer pthconvert: {m.opset_import} "
                            f"{m.graph.name!r} {m.producer_name!r}")
        props = {p.key: p.value for p in m.metadata_props}
        for k, v in opts.get("metadata", {}).items():
            if props.get(k) != v:
                problems.append(f"metadata_props[{k!r}] is {props.get(k)!r}, want {v!r}")
        if "pthconvert.selection" not in props or "pthconvert.source" not in props:
            problems.append(f"metadata_props lack the source and selection: {props}")
        location = opts.get("external")
        out = {}
        for t in m.graph.initializer:
            ext = t.data_location == onnx.TensorProto.EXTERNAL
            entries = {e.key: e.value for e in t.external_data}
            if location and ext:
                if entries.get("location") != location or int(entries.get("offset", "-1")) % 4096:
                    problems.append(f"{t.name!r}: external data {entries}, want location {location} at 4096-aligned "
                                    "offsets")
            elif location and len(t.raw_data) > 0:
                problems.append(f"{t.name!r} is inline, want external data")
            elif not location and ext:
                problems.append(f"{t.name!r} is in external data, want inline")
            a = onnx.numpy_helper.to_array(t, base_dir=str(path.parent))
            out[t.name] = (ONNX_TYPES.get(t.data_type, f"onnx:{t.data_type}"), list(a.shape),
                           np.ascontiguousarray(a).tobytes())
        return out, problems


FORMATS = {f.name: f for f in (Safetensors, Npz, Hdf5, Pth, Onnx)}


def compare(got, want, label="tensor"):
    """Problems between {name: (dtype, shape, bytes)} maps."""
    problems = []
    for n in want:
        if n not in got:
            problems.append(f"{label} {n!r} missing")
    for n in got:
        if n not in want:
            problems.append(f"unexpected {label} {n!r}")
    for n, (wd, ws, wb) in want.items():
        if n not in got:
            continue
        gd, gs, gb = got[n]
        if gd != wd:
            problems.append(f"{n!r}: dtype {gd}, want {wd}")
        if gs != ws:
            problems.append(f"{n!r}: shape {gs}, want {ws}")
        if gb != wb:
            problems.append(f"{n!r}: bytes differ ({first_difference(gb, wb)})")
    return problems


def first_difference(a, b):
    if len(a) != len(b):
        return f"{len(a)} bytes, want {len(b)}"
    i = next(i for i in range(len(a)) if a[i] != b[i])
    return f"first at byte {i}: {a[i]:#04x}, want {b[i]:#04x}"


def skipped_names(summary, candidates):
    """Which of `candidates` the --json summary lists as skipped ('name (reason)')."""
    entries = summary.get("skipped", [])
    return {n for n in candidates if any(e.startswith(n + " (") for e in entries)}, entries


# ------------------------------------------------------------------------------------------------
# float helpers for --dtype checks (NaN lanes only need to stay NaN)
# ------------------------------------------------------------------------------------------------

def from_bytes(b, dtype, numel):
    if numel == 0:
        return torch.empty(0, dtype=dtype)
    return torch.frombuffer(bytearray(b), dtype=dtype)


def float_problems(name, got_bytes, want):
    """got_bytes must equal want's bits in every lane where want is not NaN, and be NaN where it is."""
    want = want.contiguous().reshape(-1)
    if len(got_bytes) != want.numel() * want.element_size():
        return [f"{name!r}: {len(got_bytes)} bytes, want {want.numel() * want.element_size()}"]
    got = from_bytes(got_bytes, want.dtype, want.numel())
    gi, wi = got.view(INT_OF_SIZE[want.element_size()]), want.view(INT_OF_SIZE[want.element_size()])
    nan_w, nan_g = torch.isnan(want), torch.isnan(got)
    bad = (nan_w != nan_g) | (~nan_w & (gi != wi))
    if bad.any():
        i = int(bad.nonzero()[0])
        return [f"{name!r}: {int(bad.sum())} lanes differ from torch, first [{i}]: got {got[i].item()!r} "
                f"(bits {int(gi[i]) & ((1 << 8 * want.element_size()) - 1):#x}), want {want[i].item()!r} "
                f"(bits {int(wi[i]) & ((1 << 8 * want.element_size()) - 1):#x})"]
    return []


def check_cast(fmt, n, t, got, tdt):
    """One tensor of a --dtype output against torch: (problems, cast), cast being torch's .to() result when the
    tensor is floating and the output holds it bit for bit (NaN lanes only stay NaN), else None."""
    if fmt.refuses(t):
        return ([f"{n!r} ({t.dtype}) should have been skipped"] if n in got else []), None
    if n not in got:
        return [f"{n!r} missing"], None
    gd, gs, gb = got[n]
    if not t.is_floating_point():
        want = fmt.expect(t, {})
        if (gd, gs, gb) != want:
            return [f"{n!r} ({dname(t.dtype)}) was changed by --dtype: {gd} {gs}, want {want[:2]}"], None
        return [], None
    cast = t.to(tdt)
    if fmt in (Npz, Hdf5) and tdt == torch.bfloat16:
        cast = cast.float()  # npz and hdf5 widen bfloat16 exactly
    want_label = fmt.expect(cast, {})[0]
    if gd != want_label or gs != list(t.shape):
        return [f"{n!r}: {gd} {gs}, want {want_label} {list(t.shape)}"], None
    p = float_problems(n, gb, cast)
    return p, (None if p else cast)


# ------------------------------------------------------------------------------------------------
# the suite
# ------------------------------------------------------------------------------------------------

class Suite:
    def __init__(self, args):
        self.root = Path(args.root).resolve()
        self.fix = self.root / "testdata" / "fixtures"
        self.work = Path(args.work).resolve()
        launcher = Path(args.launcher).resolve()
        self.cli = Cli(launcher, launcher.parent, args.jobs)
        self.manifest = read_tsv(self.fix / "manifest.tsv")
        self.casts = read_tsv(self.fix / "casts.tsv")
        self.widened = read_tsv(self.fix / "widened.tsv")
        # Inputs that are not torch.save files (issue 16): safetensors, sharded and DCP folders.
        self.inputs = self.root / "testdata" / "inputs"
        input_manifest = read_tsv(self.inputs / "inputs.tsv")
        self.input_files = list(dict.fromkeys(r["file"] for r in input_manifest))
        self.manifest = self.manifest + input_manifest
        self.files = list(dict.fromkeys(r["file"] for r in self.manifest))
        if args.files:
            self.files = [f for f in self.files if f in args.files.split(",")]
        self.refs = {}
        self.tasks = []  # (check name, [futures], verify(runs))
        self.seq = 0

    # ---- plumbing

    def outdir(self, label):
        self.seq += 1
        d = self.work / f"{self.seq:03d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', label)[:60]}"
        d.mkdir(parents=True)
        return d

    def task(self, name, runs, verify):
        self.tasks.append((name, runs, verify))

    def convert(self, fixture, out, *opts, program=None):
        args = ([] if program else ["convert"]) + [self.path(fixture), out] + list(opts)
        return self.cli.submit(args, cwd=out.parent if out.parent.exists() else self.work, program=program)

    def path(self, fixture):
        return self.inputs / fixture if fixture in self.input_files else self.fix / fixture

    def manifest_rows(self, file, sel):
        return [r for r in self.manifest if r["file"] == file and r["select"] == sel]

    # ---- phase 1: writers the CLI knows

    def known_writers(self):
        probe = self.outdir("probe-writers")
        run = self.cli.submit(["convert", self.fix / "sample.pth", probe / "x.nosuchformat", "--to", "nosuchformat"],
                              cwd=probe).result()
        m = re.search(r"known: (.*)$", run.err.strip().split("\n")[0]) if run.err.strip() else None
        problems = []
        if run.rc != 2:
            problems.append(f"--to nosuchformat: {run.why()}, want exit 2")
        if not m:
            REPORT.check("writers: the CLI lists its formats", problems + [
                f"cannot find 'known: ...' in the --to error: {run.err.strip()[:200]!r}"])
            return []
        names = re.findall(r"([A-Za-z0-9_-]+) \(", m.group(1))
        missing = [n for n in names if n not in FORMATS]
        for n in missing:
            problems.append(f"writer {n!r} has no reference-reader check: add a class for it to FORMATS in "
                            f"cli/src/test/python/interop.py")
        stale = [n for n in FORMATS if n not in names]
        for n in stale:
            problems.append(f"interop.py checks format {n!r}, which the CLI does not list")
        problems += leftovers(probe, set())
        REPORT.check("writers: every format the CLI writes has a reference reader here", problems,
                     ", ".join(names))
        return [n for n in names if n in FORMATS]

    # ---- phase 2: plan every CLI run (they start at once, two at a time)

    def plan(self, formats):
        files_on_disk = sorted(p.name for p in self.fix.iterdir() if p.suffix in (".pth", ".pt", ".ckpt", ".bin"))
        missing = [f for f in files_on_disk if f not in self.files]
        self.task("fixtures: every fixture file is in manifest.tsv", [],
                  lambda runs: [f"{f} has no manifest rows, so nothing checks it" for f in missing]
                  + [f"manifest lists {f}, which is not in {self.fix}" for f in self.files if f not in files_on_disk and f not in self.input_files])
        for fmt_name in formats:
            fmt = FORMATS[fmt_name]
            for file in self.files:
                for sel in SELECTS:
                    self.plan_conversion(fmt, file, sel)
        if "safetensors" in formats:
            self.plan_safetensors_extras()
        if "npz" in formats:
            self.plan_npz_extras()
        if "hdf5" in formats:
            self.plan_hdf5_extras()
        if "pth" in formats:
            self.plan_pth_extras()
        if "onnx" in formats:
            self.plan_onnx_extras()
        self.plan_casts(formats)
        self.plan_random_layouts(formats)
        self.plan_interrupts()
        self.plan_batches(formats)

    def plan_conversion(self, fmt, file, sel, opts=None, label_extra=""):
        opts = dict(opts or {})
        label = f"{fmt.name} {file} --select {sel}{label_extra}"
        d = self.outdir(label)
        out = d / ("out" + fmt.ext)
        flags = ["--select", sel, "--json"] + opts.get("flags", [])
        # --skip-unsupported only where something must be skipped (decided once torch has loaded the file:
        # planned optimistically from the manifest dtypes and the known no-data fixtures).
        needs_skip = self.manifest_needs_skip(fmt, file) or opts.get("force_skip")
        if needs_skip:
            flags.append("--skip-unsupported")
        fut = self.convert(file, out, *flags)
        self.task(label, [fut], lambda runs: self.verify_conversion(fmt, file, sel, out, runs[0], opts, needs_skip))
        if needs_skip and not opts.get("flags") and sel == "auto":
            # Without --skip-unsupported the same conversion must refuse, clearly, and leave nothing.
            d2 = self.outdir(label + " refuse")
            out2 = d2 / ("out" + fmt.ext)
            fut2 = self.convert(file, out2, "--select", sel)
            self.task(f"{fmt.name} {file}: refused without --skip-unsupported", [fut2],
                      lambda runs: self.verify_refusal(fmt, file, sel, out2, runs[0]))

    def manifest_needs_skip(self, fmt, file):
        dtypes = {r["dtype"] for r in self.manifest if r["file"] == file}
        if fmt.name == "safetensors" and ("complex128" in dtypes or dtypes & {"quint8", "qint8", "qint32"}):
            return True
        if fmt.name == "npz" and (dtypes & {"quint8", "qint8", "qint32"} or file == "unicode_names.pth"):
            return True
        if fmt.name == "hdf5" and dtypes & {"quint8", "qint8", "qint32"}:
            return True
        if fmt.name == "onnx" and dtypes & {"quint8", "qint8", "qint32", "complex32", "float4_e2m1fn_x2"}:
            return True
        return file in ("meta_tensor.pth", "sparse.pth")

    # ---- references

    def load_refs(self):
        for file in self.files:
            try:
                obj = torch_load(self.path(file))
                problems = []
                counts = []
                for sel in SELECTS:
                    # A file that is one bare tensor converts under the file's stem.
                    ref = Ref([(Path(file).stem, obj)] if isinstance(obj, torch.Tensor) else select(obj, sel))
                    self.refs[(file, sel)] = ref
                    rows = self.manifest_rows(file, sel)
                    want = {r["name"]: (r["dtype"], [int(x) for x in r["shape"].split(",")] if r["shape"] else [],
                                        r["sha256"]) for r in rows}
                    got = {n: (dname(t.dtype), list(t.shape), sha(tensor_bytes(t))) for n, t in ref.tensors.items()}
                    if list(got) != [r["name"] for r in rows]:
                        problems.append(f"{sel}: torch names {list(got)[:8]} differ from manifest "
                                        f"{[r['name'] for r in rows][:8]}")
                    for n, w in want.items():
                        if n in got and got[n] != w:
                            problems.append(f"{sel} {n!r}: torch gives {got[n][:2]} {got[n][2][:12]}, manifest "
                                            f"{w[:2]} {w[2][:12]}")
                    counts.append(f"{sel} {len(rows)}")
                REPORT.check(f"reference {file}: torch.load agrees with manifest.tsv", problems, ", ".join(counts))
            except Exception as e:  # a fixture torch cannot load is a failure, not a skip
                REPORT.error(f"reference {file}: torch.load agrees with manifest.tsv", e)

    def expected(self, fmt, file, sel, opts):
        """(expected {name: (dtype, shape, bytes)}, names that must be skipped, names that may be skipped)."""
        ref = self.refs[(file, sel)]
        must_skip = set(ref.no_data) | {n for n, t in ref.tensors.items() if fmt.refuses(t)}
        may_skip = set()
        if fmt.name == "npz" and file == "unicode_names.pth":
            may_skip = {n for n in ref.tensors if npz_name_may_be_refused(n, set(ref.tensors))}
        want = collections.OrderedDict()
        for n, t in ref.tensors.items():
            if n not in must_skip and n not in opts.get("exclude", ()):
                want[n] = fmt.expect(t, opts)
        return want, must_skip, may_skip

    # ---- verification of one conversion

    def verify_conversion(self, fmt, file, sel, out, run, opts, skip_flag):
        if (file, sel) not in self.refs:
            return ["no torch reference for this fixture (see its 'reference' line)"]
        want, must_skip, may_skip = self.expected(fmt, file, sel, opts)
        if run.rc != 0 and may_skip:
            # awkward names: refusing clearly, even with --skip-unsupported, keeps the promise
            return one_line_refusal(run, may_skip, out.parent), f"refused clearly: {run.err.strip()[:140]}"
        if run.rc != 0:
            return [run.why()]
        problems = []
        summary, err = parse_json(run)
        if err:
            problems.append(err)
            summary = {}
        if (must_skip or may_skip) and not skip_flag:
            problems.append(f"checker planned no --skip-unsupported but {sorted(must_skip)} must be skipped")
        reported, entries = skipped_names(summary, set(self.refs[(file, sel)].tensors) | set(self.refs[(file, sel)].no_data))
        for n in must_skip - reported:
            problems.append(f"{n!r} should be skipped and listed in --json 'skipped' ({entries})")
        for n in reported - must_skip - may_skip:
            problems.append(f"{n!r} was skipped, but {fmt.name} can hold it ({entries})")
        for n in reported & may_skip:
            want.pop(n, None)
        if summary and summary.get("tensors") != len(want):
            problems.append(f"--json says {summary.get('tensors')} tensors, want {len(want)}")
        problems += leftovers(out.parent, {out.name})
        got, fmt_problems = fmt.read(out, opts)
        problems += fmt_problems
        problems += compare(got, want)
        if fmt is Safetensors and not opts.get("flags"):
            problems += self.same_as_reference_writer(out, file, sel, set(want))
        if fmt in (Npz, Hdf5) and not opts.get("raw_bits"):
            problems += self.widened_tsv(file, got)
        detail = f"{len(got)} tensors" + (f", skipped {sorted(reported)}" if reported else "")
        if fmt is Safetensors and not opts.get("flags"):
            detail += ", byte-identical to safetensors.torch.save"
        return problems, detail

    def same_as_reference_writer(self, out, file, sel, names):
        """Byte-identical to safetensors.torch.save of what torch.load gives (supported subset)."""
        ref = self.refs[(file, sel)]
        tensors = {n: t.contiguous().clone() for n, t in ref.tensors.items() if n in names}
        expect = safetensors.torch.save(tensors, metadata={"format": "pt"})
        got = out.read_bytes()
        if got == expect:
            return []
        return [f"not byte-identical to safetensors.torch.save(...) ({first_difference(got, expect)}); header "
                f"ours {header_of(got)[:300]!r} vs reference {header_of(expect)[:300]!r}"]

    def widened_tsv(self, file, got):
        """npz widening of bfloat16/float8 against widened.tsv (torch's t.float())."""
        problems = []
        ref = self.refs[(file, "auto")].tensors
        for r in self.widened:
            if r["file"] != file or r["name"] not in got or r["name"] not in ref:
                continue
            if ref[r["name"]].dtype == torch.float16:
                continue  # stored natively as <f2; widening of float16 is checked with --dtype float32
            if sha(got[r["name"]][2]) != r["sha256"]:
                problems.append(f"{r['name']!r}: widened bytes differ from widened.tsv")
        return problems

    def verify_refusal(self, fmt, file, sel, out, run):
        must = set(self.refs[(file, sel)].no_data) | {n for n, t in self.refs[(file, sel)].tensors.items()
                                                      if fmt.refuses(t)}
        may = set()
        if fmt is Npz and file == "unicode_names.pth":
            may = {n for n in self.refs[(file, sel)].tensors
                   if npz_name_may_be_refused(n, set(self.refs[(file, sel)].tensors))}
            if run.rc == 0:  # allowed: every name then comes back exactly
                got, fp = fmt.read(out, {})
                want = {n: fmt.expect(t, {}) for n, t in self.refs[(file, sel)].tensors.items()}
                return fp + compare(got, want) + leftovers(out.parent, {out.name}), "converted every name exactly"
        return one_line_refusal(run, must | may, out.parent), f"exit 1: {run.err.strip()[:120]}"

    # ---- safetensors: sharding, dedupe, metadata, launcher

    def plan_safetensors_extras(self):
        # --max-shard-size: several shards
        for file, sel, limit in (("sample.pth", "auto", "1KB"), ("train_adam.pt", "all", "2KB")):
            d = self.outdir(f"shard {file} {limit}")
            out = d / "model"
            fut = self.convert(file, out, "--to", "safetensors", "--select", sel, "--max-shard-size", limit)
            self.task(f"safetensors {file} --select {sel} --max-shard-size {limit}: Hugging Face shards", [fut],
                      lambda runs, file=file, sel=sel, out=out, limit=limit:
                      self.verify_shards(file, sel, out, runs[0], limit))
        # a small model: just model.safetensors
        d = self.outdir("shard small")
        out = d / "model"
        fut = self.convert("sample.pth", out, "--to", "safetensors", "--max-shard-size", "5GB")
        self.task("safetensors sample.pth --max-shard-size 5GB: one model.safetensors, no index", [fut],
                  lambda runs: self.verify_single_shard(out, runs[0]))
        # --dedupe
        d = self.outdir("dedupe tied")
        out_t = d / "tied.safetensors"
        fut = self.convert("tied.pth", out_t, "--dedupe")
        self.task("safetensors tied.pth --dedupe: one copy, removed=kept metadata as Hugging Face", [fut],
                  lambda runs: self.verify_dedupe("tied.pth", out_t, runs[0], hf_rule=True))
        d = self.outdir("dedupe views")
        out_v = d / "views.safetensors"
        fut = self.convert("views.pth", out_v, "--dedupe")
        self.task("safetensors views.pth --dedupe: partial views are kept", [fut],
                  lambda runs: self.verify_dedupe("views.pth", out_v, runs[0], hf_rule=False))
        # --metadata
        d = self.outdir("metadata")
        out_m = d / "m.safetensors"
        fut = self.convert("sample.pth", out_m, "--metadata", "source=interop test")
        self.task("safetensors sample.pth --metadata: added beside format=pt", [fut],
                  lambda runs: self.verify_simple(Safetensors, "sample.pth", "auto", out_m, runs[0],
                                                  {"metadata": {"source": "interop test"}}))
        # launcher
        d = self.outdir("pth2safetensors")
        out_l = d / "l.safetensors"
        fut = self.convert("sample.pth", out_l, program="pth2safetensors")
        self.task("bin/pth2safetensors sample.pth OUT", [fut],
                  lambda runs: self.verify_simple(Safetensors, "sample.pth", "auto", out_l, runs[0], {},
                                                  reference_writer=True))

    def verify_simple(self, fmt, file, sel, out, run, opts, reference_writer=False, same_as=None):
        if run.rc != 0:
            return [run.why()]
        want, _, _ = self.expected(fmt, file, sel, opts)
        got, problems = fmt.read(out, opts)
        problems += compare(got, want) + leftovers(out.parent, {out.name})
        if reference_writer:
            problems += self.same_as_reference_writer(out, file, sel, set(want))
        if same_as is not None and same_as.exists() and out.read_bytes() != same_as.read_bytes():
            problems.append(f"not byte-identical to {same_as.name} written by `convert` with the same options")
        return problems, f"{len(got)} tensors"

    def verify_shards(self, file, sel, out, run, limit):
        if run.rc != 0:
            return [run.why()]
        problems = []
        limit_bytes = parse_size(limit)
        want, _, _ = self.expected(Safetensors, file, sel, {})
        if not out.is_dir():
            return [f"{out} is not a directory"]
        names = sorted(os.listdir(out))
        shards = [n for n in names if n.endswith(".safetensors")]
        n_total = len(shards)
        pattern = re.compile(r"model-(\d{5})-of-(\d{5})\.safetensors$")
        numbers = []
        for s in shards:
            m = pattern.match(s)
            if not m or int(m.group(2)) != n_total:
                problems.append(f"shard name {s!r} is not model-0000i-of-{n_total:05d}.safetensors")
            else:
                numbers.append(int(m.group(1)))
        if sorted(numbers) != list(range(1, n_total + 1)):
            problems.append(f"shard numbers {sorted(numbers)} are not 1..{n_total}")
        if n_total < 2:
            problems.append(f"only {n_total} shard(s) for a {limit} limit")
        extra = [n for n in names if n not in shards and n != "model.safetensors.index.json"]
        if extra:
            problems.append(f"unexpected files in the output: {extra}")
        try:
            index = json.loads((out / "model.safetensors.index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            return problems + [f"model.safetensors.index.json: {e}"]
        total = sum(len(b) for _, _, b in want.values())
        if index.get("metadata", {}).get("total_size") != total:
            problems.append(f"metadata.total_size {index.get('metadata', {}).get('total_size')}, want {total}")
        wmap = index.get("weight_map", {})
        if set(wmap) != set(want):
            problems.append(f"weight_map names differ: missing {sorted(set(want) - set(wmap))[:5]}, "
                            f"extra {sorted(set(wmap) - set(want))[:5]}")
        if set(wmap.values()) != set(shards):
            problems.append(f"weight_map files {sorted(set(wmap.values()))} != shard files {shards}")
        got = {}
        ref = self.refs[(file, sel)].tensors
        for s in shards:
            part, fp = Safetensors.read(out / s, {})
            problems += [f"{s}: {p}" for p in fp]
            mapped = {n for n, f in wmap.items() if f == s}
            if set(part) != mapped:
                problems.append(f"{s} holds {sorted(part)} but weight_map gives it {sorted(mapped)}")
            data = sum(len(b) for _, _, b in part.values())
            if data > limit_bytes and len(part) > 1:
                problems.append(f"{s} holds {data} bytes of {len(part)} tensors, over the {limit} limit")
            expect = safetensors.torch.save({n: ref[n].contiguous().clone() for n in part if n in ref},
                                            metadata={"format": "pt"})
            if (out / s).read_bytes() != expect:
                problems.append(f"{s} is not byte-identical to safetensors.torch.save of its tensors")
            for n, v in part.items():
                if n in got:
                    problems.append(f"{n!r} is in two shards")
                got[n] = v
        problems += compare(got, want)
        problems += leftovers(out.parent, {out.name})
        return problems, f"{n_total} shards, total_size {total}"

    def verify_single_shard(self, out, run):
        if run.rc != 0:
            return [run.why()]
        if not out.is_dir():
            return [f"{out} is not a directory"]
        names = sorted(os.listdir(out))
        if names != ["model.safetensors"]:
            return [f"the directory holds {names}, want just ['model.safetensors']"]
        want, _, _ = self.expected(Safetensors, "sample.pth", "auto", {})
        got, problems = Safetensors.read(out / "model.safetensors", {})
        problems += compare(got, want) + self.same_as_reference_writer(out / "model.safetensors", "sample.pth",
                                                                         "auto", set(want))
        return problems + leftovers(out.parent, {out.name})

    def verify_dedupe(self, file, out, run, hf_rule):
        if run.rc != 0:
            return [run.why()]
        problems = []
        ref = self.refs[(file, "auto")].tensors
        tensors = safetensors.torch.load_file(str(out))
        with safe_open(str(out), framework="pt") as f:
            meta = dict(f.metadata() or {})
        if meta.pop("format", None) != "pt":
            problems.append("__metadata__ lacks format=pt")
        removed = meta  # every other key is removed -> kept
        for r, k in removed.items():
            if r not in ref:
                problems.append(f"metadata key {r!r} is not a tensor of the file")
            if r in tensors:
                problems.append(f"{r!r} is recorded as removed but still stored")
            if k not in tensors:
                problems.append(f"{r!r} -> {k!r}, but {k!r} is not stored")
        # loading + re-tying gives the original tensors
        retied = dict(tensors)
        for r, k in removed.items():
            if k in tensors:
                retied[r] = tensors[k]
        got = {n: (dname(t.dtype), list(t.shape), tensor_bytes(t)) for n, t in retied.items()}
        want = {n: Safetensors.expect(t, {}) for n, t in ref.items()}
        problems += compare(got, want)
        if hf_rule:
            # Hugging Face's own rule (safetensors.torch._remove_duplicate_names, used by save_model)
            hf = safetensors.torch._remove_duplicate_names(dict(ref))
            hf_removed = {r: kept for kept, rs in hf.items() for r in rs}
            if removed != hf_removed:
                problems.append(f"removed={removed}, Hugging Face's rule gives {hf_removed}")
            if not removed:
                problems.append("nothing was de-duplicated")
            # same tensors and header as save_file of the de-duplicated dict with that metadata
            kept = {n: t.contiguous().clone() for n, t in ref.items() if n not in hf_removed}
            expect = safetensors.torch.save(kept, metadata={"format": "pt", **hf_removed})
            if header_json(out.read_bytes()) != header_json(expect) or data_of(out.read_bytes()) != data_of(expect):
                problems.append("header or data differ from safetensors.torch.save of the de-duplicated tensors")
        else:
            if removed:
                problems.append(f"removed {removed} although no two names view the same bytes")
        return problems + leftovers(out.parent, {out.name}), f"stored {sorted(tensors)}, removed {removed}"

    # ---- npz: raw bits, compress, awkward names, dedupe, launcher

    def plan_npz_extras(self):
        for file in ("dtypes.pth", "float8_all.pth", "bf16_specials.pth"):
            self.plan_conversion(Npz, file, "auto", {"raw_bits": True, "flags": ["--raw-bits"]}, " --raw-bits")
        for file in ("dtypes.pth", "half_all.pth", "train_adam.pt"):
            self.plan_conversion(Npz, file, "all", {"compress": True, "flags": ["--compress"]}, " --compress")
        # without the x / x.npy pair np.load would confuse, every other awkward name is kept or skipped
        self.plan_conversion(Npz, "unicode_names.pth", "auto", {"flags": ["--exclude", "x.npy"], "exclude": {"x.npy"}},
                             " --exclude x.npy")
        d = self.outdir("npz dedupe")
        out = d / "tied.npz"
        fut = self.convert("tied.pth", out, "--dedupe")
        self.task("npz tied.pth --dedupe: no name lost (npz cannot record removed=kept)", [fut],
                  lambda runs: self.verify_npz_dedupe(out, runs[0]))
        d = self.outdir("pth2npz")
        out_l = d / "l.npz"
        fut = self.convert("sample.pth", out_l, program="pth2npz")
        d2 = self.outdir("pth2npz same")
        out_c = d2 / "c.npz"
        fut2 = self.convert("sample.pth", out_c)
        self.task("bin/pth2npz sample.pth OUT (byte-identical to convert: deterministic)", [fut, fut2],
                  lambda runs: self.verify_simple(Npz, "sample.pth", "auto", out_l, runs[0], {}, same_as=out_c)
                  if runs[1].rc == 0 else [f"convert: {runs[1].why()}"])
        d = self.outdir("pth2npz raw")
        out_r = d / "r.npz"
        fut = self.convert("dtypes.pth", out_r, "--raw-bits", program="pth2npz")
        self.task("bin/pth2npz dtypes.pth OUT --raw-bits (options pass through)", [fut],
                  lambda runs: self.verify_simple(Npz, "dtypes.pth", "auto", out_r, runs[0], {"raw_bits": True}))

    def verify_npz_dedupe(self, out, run):
        if run.rc != 0:
            # refusing --dedupe for a format without metadata is fine, if clear and clean
            return one_line_refusal(run, {"dedupe"}, out.parent, quote=False, code=(1, 2)), "refused"
        want = {n: Npz.expect(t, {}) for n, t in self.refs[("tied.pth", "auto")].tensors.items()}
        got, problems = Npz.read(out, {})
        return problems + compare(got, want) + leftovers(out.parent, {out.name})

    # ---- hdf5: raw bits, gzip, flat, dedupe as hard links, metadata, launcher

    def plan_hdf5_extras(self):
        for file in ("dtypes.pth", "float8_all.pth", "bf16_specials.pth"):
            self.plan_conversion(Hdf5, file, "auto", {"raw_bits": True, "flags": ["--raw-bits"]}, " --raw-bits")
        for file in ("dtypes.pth", "half_all.pth", "train_adam.pt"):
            self.plan_conversion(Hdf5, file, "all", {"compress": True, "flags": ["--compress"]}, " --compress")
        for file in ("unicode_names.pth", "train_adam.pt"):
            self.plan_conversion(Hdf5, file, "all", {"flags": ["--flat"]}, " --flat")
        self.plan_conversion(Hdf5, "sample.pth", "auto",
                             {"flags": ["--metadata", "note=interop test"], "metadata": {"note": "interop test"}},
                             " --metadata")
        d = self.outdir("hdf5 dedupe")
        out = d / "tied.h5"
        fut = self.convert("tied.pth", out, "--dedupe")
        self.task("hdf5 tied.pth --dedupe: one copy, other names as hard links, removed=kept root attributes", [fut],
                  lambda runs: self.verify_hdf5_dedupe(out, runs[0]))
        d = self.outdir("pth2hdf5")
        out_l = d / "l.h5"
        fut = self.convert("train_adam.pt", out_l, "--select", "all", program="pth2hdf5")
        d2 = self.outdir("pth2hdf5 same")
        out_c = d2 / "c.h5"
        fut2 = self.convert("train_adam.pt", out_c, "--select", "all")
        self.task("bin/pth2hdf5 train_adam.pt OUT (byte-identical to convert: deterministic)", [fut, fut2],
                  lambda runs: self.verify_simple(Hdf5, "train_adam.pt", "all", out_l, runs[0], {}, same_as=out_c)
                  if runs[1].rc == 0 else [f"convert: {runs[1].why()}"])

    def verify_hdf5_dedupe(self, out, run):
        if run.rc != 0:
            return [run.why()]
        ref = self.refs[("tied.pth", "auto")].tensors
        got, problems = Hdf5.read(out, {})
        problems += leftovers(out.parent, {out.name})
        with h5py.File(str(out), "r") as f:
            removed = {k: v for k, v in f.attrs.items() if k in ref and k not in got}
            if not removed:
                problems.append("no removed=kept root attribute: nothing was deduplicated")
            for gone, kept in removed.items():
                if kept not in got:
                    problems.append(f"root attribute {gone!r} -> {kept!r}, which is not a dataset name")
                    continue
                path = "/" + gone.replace(".", "/")
                if path not in f or f[path] != f["/" + kept.replace(".", "/")]:
                    problems.append(f"{gone!r} is not a hard link to {kept!r} at {path}")
                    continue
                t = ref[gone]
                d = f[path]
                if (d.dtype.name, list(d.shape), np.ascontiguousarray(d[()]).tobytes()) != Hdf5.expect(t, {}):
                    problems.append(f"{gone!r} through its hard link differs from torch")
        want = {n: Hdf5.expect(t, {}) for n, t in ref.items() if n in got}
        problems += compare(got, want)
        if len(got) + len(removed) != len(ref):
            problems.append(f"{len(got)} datasets + {len(removed)} links, torch has {len(ref)} names")
        return problems, f"{len(got)} datasets, {len(removed)} hard links"

    # ---- pth (strip): tied storage, load_state_dict, smaller than the training checkpoint

    def plan_pth_extras(self):
        d = self.outdir("strip tied")
        out = d / "tied.pth"
        fut = self.cli.submit(["strip", self.fix / "tied.pth", out, "--json"], cwd=d)
        self.task("strip tied.pth: tied names share one storage after torch.load (also with mmap=True)", [fut],
                  lambda runs, out=out: self.verify_pth_tied(out, runs[0]))
        for file, sel in MODULE_FIXTURES.items():
            d = self.outdir(f"strip load_state_dict {file}")
            out = d / "m.pth"
            fut = self.cli.submit(["strip", self.fix / file, out, "-q"], cwd=d)
            self.task(f"strip {file}: {sel}.load_state_dict(torch.load(OUT, weights_only=True), strict=True)", [fut],
                      lambda runs, file=file, out=out: self.verify_load_state_dict(file, out, runs[0]))
        d = self.outdir("strip training checkpoint")
        ckpt = d / "train.pth"
        out = d / "model.pth"
        fut = self.cli.submit_after(lambda: make_training_checkpoint(ckpt), ["strip", ckpt, out, "--json"], d)
        self.task("strip of a training checkpoint (model + optimizer + scheduler + iteration): weights only, "
                  "smaller, summary says what was dropped", [fut],
                  lambda runs: self.verify_strip_training(ckpt, out, runs[0]))
        for file in KEEP_STORAGES_FIXTURES:
            d = self.outdir(f"strip keep storages {file}")
            out_k = d / "kept.pth"
            fut = self.cli.submit(["strip", self.fix / file, out_k, "--keep-storages", "--json"], cwd=d)
            self.task(f"strip {file} --keep-storages: the source's views on storages of the source's sizes, "
                      f"shared as in the source (also with mmap=True)", [fut],
                      lambda runs, file=file, out_k=out_k: self.verify_keep_storages(self.fix / file, out_k, runs[0]))
        d = self.outdir("strip keep storages overlapping views")
        src_o = d / "overlap.pth"
        out_o = d / "kept.pth"
        fut = self.cli.submit_after(lambda: make_overlapping_views(src_o),
                                    ["strip", src_o, out_o, "--keep-storages", "--json"], d)
        self.task("strip --keep-storages of overlapping partial views of unsaved storages (s[0:4], s[2:8], a "
                  "transposed view, uint16 on an untyped storage): memory shared as in the source", [fut],
                  lambda runs: self.verify_keep_storages(src_o, out_o, runs[0], {src_o.name, out_o.name}))
        # One source for the three tasks below, made here: they run at once.
        src_s = self.outdir("lone surrogate names (source)") / "surrogate.pth"
        make_lone_surrogate_names(src_s)
        d = self.outdir("strip lone surrogate name")
        out_s = d / "kept.pth"
        fut = self.cli.submit(["strip", src_s, out_s, "--json"], cwd=d)
        self.task("strip of names holding a lone surrogate (which pickle keeps with 'surrogatepass'): the same "
                  "names and bits after torch.load (also with mmap=True), not '?'", [fut],
                  lambda runs: self.verify_same_state_dict(src_s, out_s, runs[0]))
        for fmt in ("onnx", "safetensors"):
            d = self.outdir(f"{fmt} refuses a lone surrogate name")
            fut = self.cli.submit(["convert", src_s, d / f"out.{fmt}"], cwd=d)
            self.task(f"convert to {fmt} of a name holding a lone surrogate: refused in one line, nothing written",
                      [fut], lambda runs, d=d: one_line_refusal(runs[0], {"unpaired surrogate"}, d, quote=False))
        d = self.outdir("strip refuses its input")
        target = d / "in.pth"
        shutil.copy(self.fix / "train_sgd.ckpt", target)
        fut = self.cli.submit(["strip", target, target, "--force"], cwd=d)
        self.task("strip IN IN --force: refused, input untouched", [fut],
                  lambda runs: self.verify_strip_refuses_input(target, runs[0]))
        d = self.outdir("strip empty selection")
        out_e = d / "e.pth"
        fut = self.cli.submit(["strip", self.fix / "sample.pth", out_e, "--include", "no.such.*"], cwd=d)
        self.task("strip with an empty selection: refused", [fut],
                  lambda runs, d=d: one_line_refusal(runs[0], {"empty"}, d, quote=False))

    def verify_keep_storages(self, src, out, run, wanted=None):
        """Every tensor of OUT is the source's view (offset, size, stride, bits) on a storage of the
        source storage's size, and two tensors share memory in OUT exactly when they do in the source."""
        if run.rc != 0:
            return [run.why()]
        problems = []
        source = torch.load(str(src), weights_only=True)
        share = storage_sharing(source)
        for mmap in (False, True):
            sd = torch.load(str(out), weights_only=True, mmap=mmap)
            if list(sd) != list(source):
                problems.append(f"names {list(sd)} differ from the source's {list(source)} (mmap={mmap})")
                continue
            for k, t in sd.items():
                s = source[k]
                got = (t.dtype, tuple(t.shape), t.stride(), t.storage_offset(), t.untyped_storage().nbytes())
                want = (s.dtype, tuple(s.shape), s.stride(), s.storage_offset(), s.untyped_storage().nbytes())
                if got != want:
                    problems.append(f"{k!r}: (dtype, size, stride, offset, storage bytes) {got}, want {want} "
                                    f"(mmap={mmap})")
                elif tensor_bytes(t) != tensor_bytes(s) or qparams(t) != qparams(s):
                    problems.append(f"{k!r}: other values than the source's (mmap={mmap})")
            if storage_sharing(sd) != share:
                problems.append(f"storage sharing {storage_sharing(sd)}, want the source's {share} (mmap={mmap})")
        with zipfile.ZipFile(out) as z:
            records = [n for n in z.namelist() if "/data/" in n]
        per_channel = sum(1 for t in source.values() if t.is_quantized and t.qscheme() == torch.per_channel_affine)
        storages = len(set(share.values())) + 2 * per_channel   # + scales and zero-point records
        if len(records) != storages:
            problems.append(f"{len(records)} storage records, want {storages}")
        views = [k for k, t in source.items() if not t.is_contiguous() or t.storage_offset() > 0
                 or t.untyped_storage().nbytes() != t.numel() * t.element_size()]
        return problems + leftovers(out.parent, wanted or {out.name}), f"views kept: {views}"

    def verify_pth_tied(self, out, run):
        if run.rc != 0:
            return [run.why()]
        src = torch.load(self.fix / "tied.pth", weights_only=True)
        pairs = [(a, b) for a in src for b in src if a < b
                 and src[a].untyped_storage().data_ptr() == src[b].untyped_storage().data_ptr()
                 and src[a].storage_offset() == src[b].storage_offset() and src[a].stride() == src[b].stride()]
        problems = [] if pairs else ["tied.pth has no tied pair to check"]
        for mmap in (False, True):
            sd = torch.load(out, weights_only=True, mmap=mmap)
            for a, b in pairs:
                if sd[a].untyped_storage().data_ptr() != sd[b].untyped_storage().data_ptr():
                    problems.append(f"{a!r} and {b!r} do not share storage (mmap={mmap})")
        with zipfile.ZipFile(out) as z:
            records = [n for n in z.namelist() if "/data/" in n]
        if len(records) != len(src) - len(pairs):
            problems.append(f"{len(records)} storage records, want {len(src) - len(pairs)}")
        return problems + leftovers(out.parent, {out.name}), f"tied {pairs}, {len(records)} records"

    def verify_load_state_dict(self, file, out, run):
        if run.rc != 0:
            return [run.why()]
        model = module_of(self.fix / file)
        sd = torch.load(out, weights_only=True)
        result = model.load_state_dict(sd, strict=True)
        problems = []
        want = {k: Pth.expect(v, {}) for k, v in self.refs[(file, "auto")].tensors.items()}
        got = {k: Pth.expect(v, {}) for k, v in model.state_dict().items()}
        problems += compare(got, want, "the loaded module's state_dict() entry")
        if file in NO_METADATA:
            if getattr(sd, "_metadata", None) is not None:
                problems.append(f"_metadata {dict(sd._metadata)} although the source has none")
        elif getattr(sd, "_metadata", None) is None:
            problems.append("no _metadata (module versions) in the output")
        else:
            want_md = dict(module_of(self.fix / file).state_dict()._metadata)
            if dict(sd._metadata) != want_md:
                problems.append(f"_metadata {dict(sd._metadata)} differs from the module's {want_md}")
        return problems + leftovers(out.parent, {out.name}), f"{len(sd)} tensors, {result}"

    def verify_strip_training(self, ckpt, out, run):
        if run.rc != 0:
            return [run.why()]
        problems = []
        summary, err = parse_json(run)
        if err:
            return [err]
        src = torch.load(ckpt, weights_only=True)
        want = {k: Pth.expect(v, {}) for k, v in src["model"].items()}
        got, fp = Pth.read(out, {})
        problems += fp + compare(got, want)
        if out.stat().st_size >= ckpt.stat().st_size:
            problems.append(f"output {out.stat().st_size} bytes is not smaller than the checkpoint {ckpt.stat().st_size}")
        dropped = [d["key"] for d in summary.get("dropped", [])]
        if summary.get("under") != "model" or dropped != ["optimizer", "scheduler", "iteration"]:
            problems.append(f"--json under={summary.get('under')!r} dropped={dropped}, want 'model' and "
                            f"optimizer, scheduler, iteration")
        if summary.get("input_bytes") != ckpt.stat().st_size or summary.get("output_bytes") != out.stat().st_size:
            problems.append(f"--json sizes {summary.get('input_bytes')} -> {summary.get('output_bytes')} are not the files'")
        return problems, f"{ckpt.stat().st_size} -> {out.stat().st_size} bytes (x{summary.get('ratio', 0):.1f})"

    def verify_same_state_dict(self, src, out, run):
        """OUT loads as the same names, dtypes, shapes and bits as SRC (a state dict)."""
        if run.rc != 0:
            return [run.why()]
        problems = []
        want = torch.load(str(src), weights_only=True)
        for mmap in (False, True):
            got = torch.load(str(out), weights_only=True, mmap=mmap)
            if list(got) != list(want):
                problems.append(f"names {list(got)!r}, want {list(want)!r} (mmap={mmap})")
                continue
            for k in want:
                if got[k].dtype != want[k].dtype or got[k].shape != want[k].shape or tensor_bytes(got[k]) != tensor_bytes(want[k]):
                    problems.append(f"{k!r}: other dtype, shape or bits than the source's (mmap={mmap})")
        return problems + leftovers(out.parent, {out.name}), f"names {list(want)!r}"

    def verify_strip_refuses_input(self, target, run):
        problems = []
        if run.rc == 0:
            problems.append("exit 0")
        if target.read_bytes() != (self.fix / "train_sgd.ckpt").read_bytes():
            problems.append("the input was changed")
        problems += leftovers(target.parent, {target.name})
        return problems, f"exit {run.rc}: {run.err.strip()[:100]}"
    # ---- onnx: external data, --dedupe, --into an exported graph run in onnxruntime

    def plan_onnx_extras(self):
        for file, sel in (("dtypes.pth", "auto"), ("float8_all.pth", "auto"), ("train_adam.pt", "all")):
            self.plan_onnx_external(file, sel, ["--external-data"], "out.onnx.data")
        self.plan_onnx_external("sample.pth", "auto", ["--external-data-threshold", "1KiB",
                                                       "--external-data-file", "weights.bin"], "weights.bin")
        d = self.outdir("onnx dedupe")
        out = d / "tied.onnx"
        fut = self.convert("tied.pth", out, "--dedupe", "--metadata", "who=interop")
        self.task("onnx tied.pth --dedupe: metadata_props record removed=kept", [fut],
                  lambda runs, out=out: self.verify_onnx_dedupe(out, runs[0]))
        d = self.outdir("pth2onnx")
        out_l = d / "l.onnx"
        fut = self.convert("sample.pth", out_l, program="pth2onnx")
        self.task("bin/pth2onnx sample.pth OUT", [fut],
                  lambda runs: self.verify_simple(Onnx, "sample.pth", "auto", out_l, runs[0], {}))
        graphs = self.root / "testdata" / "onnx"
        for graph in ("mlp.onnx", "mlp_external.onnx"):
            d = self.outdir(f"onnx into {graph}")
            out = d / "new.onnx"
            fut = self.cli.submit(["convert", graphs / "mlp_new.pth", out, "--into", graphs / graph, "--strict"],
                                  cwd=d)
            self.task(f"onnx --into {graph} --strict: onnxruntime gives the new weights' output", [fut],
                      lambda runs, out=out, graph=graph: self.verify_onnx_into(graphs, graph, out, runs[0]))
        d = self.outdir("onnx into mismatch")
        out = d / "bad.onnx"
        fut = self.cli.submit(["convert", self.fix / "sample.pth", out, "--into", graphs / "mlp.onnx"], cwd=d)
        self.task("onnx --into a graph whose initializers differ: refused, nothing written", [fut],
                  lambda runs, d=d: one_line_refusal(runs[0], {"fc1.weight", "fc2.weight"}, d))

    def plan_onnx_external(self, file, sel, flags, location):
        d = self.outdir(f"onnx {file} {' '.join(flags)}")
        out = d / "out.onnx"
        fut = self.convert(file, out, "--select", sel, *flags)
        self.task(f"onnx {file} --select {sel} {' '.join(flags)}: external data", [fut],
                  lambda runs: self.verify_onnx_external(file, sel, out, runs[0], location))

    def verify_onnx_external(self, file, sel, out, run, location):
        if run.rc != 0:
            return [run.why()]
        want, _, _ = self.expected(Onnx, file, sel, {})
        got, problems = Onnx.read(out, {"external": location})
        return problems + compare(got, want) + leftovers(out.parent, {out.name, location})

    def verify_onnx_dedupe(self, out, run):
        if run.rc != 0:
            return [run.why()]
        m = onnx.load(str(out))
        props = {p.key: p.value for p in m.metadata_props}
        problems = [] if props.get("who") == "interop" else [f"--metadata pair missing: {props}"]
        ref = self.refs[("tied.pth", "auto")].tensors
        names = {t.name for t in m.graph.initializer}
        for n in set(ref) - names:
            if props.get(n) not in names:
                problems.append(f"{n!r} was removed but metadata_props does not name what it was kept as: {props}")
        got, fmt_problems = Onnx.read(out, {})
        want = {n: Onnx.expect(t, {}) for n, t in ref.items() if n in names}
        return problems + fmt_problems + compare(got, want) + leftovers(out.parent, {out.name})

    def verify_onnx_into(self, graphs, graph, out, run):
        if run.rc != 0:
            return [run.why()]
        problems = []
        onnx.checker.check_model(str(out), full_check=True)
        before = onnx.load(str(graphs / graph))
        after = onnx.load(str(out))
        if list(before.graph.node) != list(after.graph.node) or before.opset_import != after.opset_import:
            problems.append("nodes or opsets changed")
        sd = torch.load(graphs / "mlp_new.pth", weights_only=True)
        for t in after.graph.initializer:
            a = onnx.numpy_helper.to_array(t, base_dir=str(out.parent))
            if a.tobytes() != tensor_bytes(sd[t.name]):
                problems.append(f"{t.name!r}: initializer bytes differ from the checkpoint")
        model = IntoMLP()
        model.load_state_dict(sd)
        x = torch.arange(8, dtype=torch.float32).reshape(2, 4) / 8
        want = model.eval()(x).detach().numpy()
        sess = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        got = sess.run(None, {"x": x.numpy()})[0]
        if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
            problems.append(f"onnxruntime output {got.tolist()} differs from torch {want.tolist()}")
        old = onnxruntime.InferenceSession(str(graphs / graph), providers=["CPUExecutionProvider"])
        if np.allclose(old.run(None, {"x": x.numpy()})[0], want):
            problems.append("the graph's old weights give the same output: the check proves nothing")
        wanted = {out.name} | ({"new.onnx.data"} if graph == "mlp_external.onnx" else set())
        return problems + leftovers(out.parent, wanted), f"max |ort - torch| {float(np.abs(got - want).max()):.2e}"

    # ---- --dtype casts

    def plan_random_layouts(self, formats):
        """Checkpoints of random strided views (offsets, zero and permuted strides, overlaps, tied names) over
        random bits of every dtype, some rewritten big-endian, some legacy: every format must give what
        torch.load gives for each tensor, or skip it by name where the format has no such dtype."""
        src_dir = self.outdir("random layouts (sources)")
        for seed in range(RANDOM_LAYOUTS):
            src = src_dir / f"layouts{seed}.pth"
            kind = make_random_layouts(src, seed)
            for fmt_name in formats:
                fmt = FORMATS[fmt_name]
                d = self.outdir(f"random layouts {seed} {fmt_name}")
                out = d / ("out" + fmt.ext)
                fut = self.cli.submit(["convert", src, out, "--to", fmt_name, "--select", "all", "--skip-unsupported",
                                       "--json"], cwd=d)
                self.task(f"{fmt_name} of random layouts #{seed} ({kind}): what torch.load gives, tensor by tensor",
                          [fut], lambda runs, fmt=fmt, src=src, out=out: self.verify_random_layouts(fmt, src, out,
                                                                                                     runs[0]))
            if "safetensors" in formats:
                target = ("float16", "bfloat16", "float32")[seed % 3]
                d = self.outdir(f"random layouts {seed} cast {target}")
                out = d / "out.safetensors"
                fut = self.cli.submit(["convert", src, out, "--select", "all", "--skip-unsupported", "--dtype", target,
                                       "--json"], cwd=d)
                self.task(f"safetensors --dtype {target} of random layouts #{seed} ({kind}): floats as torch's .to() "
                          f"gives them (NaN lanes stay NaN), others untouched", [fut],
                          lambda runs, src=src, out=out, target=target: self.verify_random_cast(src, out, runs[0],
                                                                                                target))

    def verify_random_layouts(self, fmt, src, out, run):
        if run.rc != 0:
            return [run.why()]
        summary, err = parse_json(run)
        if err:
            return [err]
        sd = torch.load(src, weights_only=True)
        want = {k: fmt.expect(t, {}) for k, t in sd.items() if not fmt.refuses(t)}
        refused = {k for k, t in sd.items() if fmt.refuses(t)}
        skipped, entries = skipped_names(summary, set(sd))
        problems = []
        if skipped != refused:
            problems.append(f"skipped {sorted(skipped)}, want {sorted(refused)} ({entries})")
        got, read_problems = fmt.read(out, {})
        problems += read_problems + compare(got, want) + leftovers(out.parent, {out.name})
        return problems, f"{len(got)} tensors, {len(skipped)} skipped"

    def verify_random_cast(self, src, out, run, target):
        if run.rc != 0:
            return [run.why()]
        tdt = getattr(torch, target)
        sd = torch.load(src, weights_only=True)
        got, problems = Safetensors.read(out, {})
        problems += leftovers(out.parent, {out.name})
        for n, t in sd.items():
            problems += check_cast(Safetensors, n, t, got, tdt)[0]
        problems += [f"unexpected tensor {n!r}" for n in got if n not in sd]
        return problems, f"{len(got)} tensors"

    def plan_casts(self, formats):
        for fmt_name in formats:
            fmt = FORMATS[fmt_name]
            for target in ("float16", "bfloat16", "float32"):
                d = self.outdir(f"{fmt.name} casts {target}")
                out = d / ("casts" + fmt.ext)
                fut = self.convert("casts.pth", out, "--dtype", target)
                self.task(f"{fmt.name} casts.pth --dtype {target}: torch's .to() bit for bit", [fut],
                          lambda runs, fmt=fmt, target=target, out=out: self.verify_cast(fmt, "casts.pth", out,
                                                                                         runs[0], target))
        if "safetensors" in formats:
            for file, target in (("half_all.pth", "float32"), ("bf16_specials.pth", "float32"),
                                 ("float8_all.pth", "float32"), ("dtypes.pth", "float32"),
                                 ("dtypes.pth", "float16"), ("state_dict.pth", "bfloat16")):
                d = self.outdir(f"cast {file} {target}")
                out = d / "out.safetensors"
                flags = ["--dtype", target] + (["--skip-unsupported"] if file == "dtypes.pth" else [])
                fut = self.convert(file, out, *flags)
                self.task(f"safetensors {file} --dtype {target}: floats cast as torch, others untouched", [fut],
                          lambda runs, file=file, target=target, out=out: self.verify_cast(Safetensors, file, out,
                                                                                           runs[0], target))

    def verify_cast(self, fmt, file, out, run, target):
        if run.rc != 0:
            return [run.why()]
        tdt = getattr(torch, target)
        ref = self.refs[(file, "auto")].tensors
        got, problems = fmt.read(out, {})
        problems += leftovers(out.parent, {out.name})
        exact_tsv, nan_only = 0, []
        for n, t in ref.items():
            p, cast = check_cast(fmt, n, t, got, tdt)
            problems += p
            if cast is None:
                continue
            gb = got[n][2]
            rows = [r for r in self.casts if r["file"] == file and r["name"] == n and r["target"] == target]
            wid = [r for r in self.widened if r["file"] == file and r["name"] == n] if target == "float32" else []
            tsv = (rows or wid or [None])[0]
            if tsv is not None and not (fmt in (Npz, Hdf5) and tdt == torch.bfloat16):
                if sha(gb) == tsv["sha256"]:
                    exact_tsv += 1
                else:
                    nan_only.append(n)
        for n in got:
            if n not in ref:
                problems.append(f"unexpected tensor {n!r}")
        detail = f"{len(got)} tensors, {exact_tsv} equal to the TSV hashes"
        if nan_only:
            detail += f"; NaN payloads differ from the TSV policy (allowed) in {nan_only}"
        return problems, detail

    # ---- batch: the whole fixture tree in one command, each output read back

    def plan_batches(self, formats):
        """`batch` over a tree holding every fixture (each in its own folder, so the leftovers check of a
        single conversion applies), with --skip-unsupported; every output is verified as `convert`'s is."""
        zoo = self.work / "batch-zoo"
        # torch.save fixtures (batch's default pattern); folder and safetensors inputs are checked on their own
        self.batch_files = [f for f in self.files if f not in self.input_files]
        for file in self.batch_files:
            (zoo / Path(file).stem).mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.fix / file, zoo / Path(file).stem / file)
        for fmt_name in formats:
            fmt = FORMATS[fmt_name]
            d = self.outdir(f"batch {fmt.name}")
            out, report = d / "out", d / "report.jsonl"
            argv = ["batch", "--to", fmt.name, "--out-dir", out, zoo, "--skip-unsupported", "--report", report,
                    "--jobs", "2"]
            fut = self.cli.submit(argv, cwd=d)
            self.task(f"batch --to {fmt.name} over every fixture: outputs read back, report, rerun", [fut],
                      lambda runs, fmt=fmt, out=out, report=report, argv=argv, d=d:
                      self.verify_batch(fmt, zoo, out, report, runs[0], argv, d))

    def verify_batch(self, fmt, zoo, out, report, run, argv, cwd):
        problems = []
        if run.rc not in (0, 1):
            return [f"batch: {run.why()}"]
        try:
            lines = [json.loads(l) for l in report.read_text(encoding="utf-8").splitlines()]
        except (OSError, ValueError) as e:
            return [f"report {report} is not one JSON object a line: {e}"]
        by_input = {Path(l["input"]).name: l for l in lines}
        if len(lines) != len(self.batch_files) or set(by_input) != set(self.batch_files):
            problems.append(f"report has {len(lines)} lines for {len(self.batch_files)} inputs")
        failed = 0
        for file in self.batch_files:
            line = by_input.get(file)
            if line is None:
                continue
            stem = Path(file).stem
            target = out / stem / (stem + fmt.ext)
            target.parent.mkdir(parents=True, exist_ok=True)
            if line["status"] == "ok":
                fake = Run(argv, 0, json.dumps({"tensors": line["tensors"], "skipped": line["skipped"]}), "", 0)
            else:
                failed += 1
                fake = Run(argv, 1, "", "pthconvert: " + (line.get("error") or "(no error)") + "\n", 0)
            res = self.verify_conversion(fmt, file, "auto", target, fake, {}, True)
            p = res[0] if isinstance(res, tuple) else res
            problems += [f"{file}: {x}" for x in p]
        if (run.rc == 1) != (failed > 0):
            problems.append(f"batch exit {run.rc} with {failed} failed inputs")
        again = self.cli._run([str(self.cli.launcher)] + [str(a) for a in argv], cwd)
        ok = sum(1 for l in lines if l["status"] == "ok")
        if again.rc != run.rc or not again.err.strip().split("\n")[-1].startswith(f"0 converted, {ok} skipped"):
            problems.append(f"rerun: {again.why()}, want every converted output skipped")
        return problems, f"{ok} converted, {failed} refused clearly; rerun skipped all"

    # ---- interrupted conversions (Ctrl-C, kill): no partial output, no temp file

    def plan_interrupts(self):
        big = self.work / "big" / "big.pth"
        made = self.cli.pool.submit(make_big_checkpoint, big)
        for sig in ("SIGINT", "SIGTERM"):
            d = self.outdir(f"interrupt {sig}")
            fut = self.cli.pool.submit(interrupt_run, self.cli.launcher, made, big, d, sig)
            self.task(f"interrupt: {sig} during a conversion leaves no partial or temp file", [fut],
                      lambda runs: runs[0])
        if "hdf5" in FORMATS:
            d = self.outdir("interrupt hdf5")
            fut = self.cli.pool.submit(interrupt_run, self.cli.launcher, made, big, d, "SIGINT", ".h5")
            self.task("interrupt: SIGINT during an hdf5 --compress conversion leaves no partial or temp file", [fut],
                      lambda runs: runs[0])

    # ---- run

    def run(self):
        formats = self.known_writers()
        if not formats:
            return
        self.plan(formats)
        self.load_refs()  # while the CLI runs
        for name, futs, verify in self.tasks:
            try:
                runs = [f.result() for f in futs]
                res = verify(runs)
                if isinstance(res, tuple):
                    REPORT.check(name, res[0], res[1])
                else:
                    REPORT.check(name, res)
            except Exception as e:
                REPORT.error(name, e)
        self.cli.pool.shutdown()
        shutil.rmtree(self.work / "big", ignore_errors=True)


# Fixtures whose module we can build here (from testdata/generate.py) or load, for load_state_dict(strict=True).
# sources with views, shared storages, big-endian, legacy and quantized storages, for --keep-storages
KEEP_STORAGES_FIXTURES = ["views.pth", "tied.pth", "bigendian.pth", "bigendian_untyped.pth", "legacy.pth", "quantized.pth", "dtypes.pth"]
MODULE_FIXTURES = {"sample.pth": "SampleMLP", "state_dict.pth": "ConvNet", "dataparallel.pth": "ConvNet",
                   "compiled.pth": "ConvNet", "train_sgd.ckpt": "ConvNet", "train_adam.pt": "SampleMLP",
                   "tied.pth": "TiedLM", "whole_model.pt": "the pickled module", "torchscript.pt": "the script module"}

# Sources without a state dict's _metadata: built by hand, or a whole pickled / scripted module.
NO_METADATA = ("compiled.pth", "whole_model.pt", "torchscript.pt", "torchscript_bigendian.pt")


def generator_module():
    import importlib.util
    path = Path(__file__).resolve().parents[4] / "testdata" / "generate.py"
    spec = importlib.util.spec_from_file_location("pthconvert_generate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def module_of(fixture):
    """A module whose state_dict() the fixture's weights fit: the generator's class, or the saved module."""
    name = MODULE_FIXTURES[fixture.name]
    if fixture.name in ("whole_model.pt", "torchscript.pt"):
        return torch_load(fixture)
    return getattr(generator_module(), name)()


def storage_sharing(sd):
    """Each name -> the first name (in order) whose tensor is on the same storage."""
    first, out = {}, {}
    for k, t in sd.items():
        out[k] = first.setdefault(t.untyped_storage().data_ptr(), k)
    return out


def make_overlapping_views(path):
    """Views that share storages no saved tensor covers whole, as --keep-storages must keep them."""
    s = torch.arange(10, dtype=torch.float32)
    u = torch.arange(8, dtype=torch.int64).to(torch.uint16)
    torch.save(collections.OrderedDict([
        ("a", s[0:4]), ("b", s[2:8]), ("t", s.view(2, 5).t()), ("tail", s[7:]),
        ("expanded", torch.tensor([1.0, 2.0]).reshape(2, 1).expand(2, 3)),
        ("u_mid", u[2:5]), ("u_tail", u[4:]), ("alone", torch.ones(3))]), path)


# 12 in CI; PTHCONVERT_RANDOM_LAYOUTS=N for a longer sweep by hand
RANDOM_LAYOUTS = int(os.environ.get("PTHCONVERT_RANDOM_LAYOUTS", "12"))
# every dtype torch.save writes that a format may hold; legacy files take only the typed-storage ones (below)
LAYOUT_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
                 torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128, torch.complex32,
                 torch.uint16, torch.uint32, torch.uint64] + FLOAT8
# torch 2.13 writes the others into legacy files as UntypedStorage, and its torch.load cannot read those back
LEGACY_DTYPES = LAYOUT_DTYPES[:12]


def make_random_layouts(path, seed):
    """torch.save of views made with as_strided over random bits (bools 0/1): offsets, zero, permuted and
    overlapping strides, several views of one storage, tied names. A third of the zip files are rewritten
    with byteorder 'big' (records unchanged: torch.load swaps typed storages by their class, so must we);
    a quarter of the seeds are legacy files. Returns what kind of file it made."""
    r = random.Random(seed)
    legacy = seed % 4 == 3
    dtypes = LEGACY_DTYPES if legacy else LAYOUT_DTYPES
    g = torch.Generator().manual_seed(seed)
    sd = collections.OrderedDict()
    bases = []
    for i in range(r.randint(2, 5)):
        dt = r.choice(dtypes)
        n = r.randint(1, 48)
        width = torch.empty(0, dtype=dt).element_size()
        if dt == torch.bool:
            base = torch.randint(0, 2, (n,), dtype=torch.uint8, generator=g).bool()
        else:
            base = torch.randint(0, 256, (n * width,), dtype=torch.uint8, generator=g).view(dt)
        bases.append(base)
    for i in range(r.randint(3, 9)):
        if sd and r.random() < 0.15:
            sd[f"tied{i}"] = sd[r.choice(list(sd))]  # the same view under two names
            continue
        base = r.choice(bases)
        n = base.numel()
        rank = r.randint(0, 4)
        size = [r.randint(0, 4) if r.random() < 0.1 else r.randint(1, 4) for _ in range(rank)]
        stride = [r.choice([0, 1, 2, 3, 5, 7]) for _ in range(rank)]
        if r.random() < 0.3:  # C order, maybe transposed afterwards
            acc = 1
            for d in reversed(range(rank)):
                stride[d] = acc
                acc *= max(size[d], 1)
            if rank >= 2 and r.random() < 0.5:
                a, b = r.sample(range(rank), 2)
                size[a], size[b], stride[a], stride[b] = size[b], size[a], stride[b], stride[a]
        span = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
        if span > n:
            size, stride, span = [min(n, 4)], [1], min(n, 4)
        offset = r.randint(0, n - span) if span else r.randint(0, n)
        sd[f"t{i}"] = torch.as_strided(base, size, stride, offset)
    if legacy:
        torch.save(sd, path, _use_new_zipfile_serialization=False)
        return "legacy"
    torch.save(sd, path)
    if seed % 3 != 1:
        return "zip"
    with zipfile.ZipFile(path) as zin:
        records = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        for info, data in records:
            zout.writestr(info, b"big" if info.filename.endswith("/byteorder") else data)
    return "zip, byteorder big"


def make_lone_surrogate_names(path):
    """Names Python strs may hold but UTF-8 may not: pickle writes them with 'surrogatepass'."""
    torch.save(collections.OrderedDict([("bad\ud800", torch.arange(3.0)), ("x.\udfff.w", torch.ones(2, dtype=torch.int16)),
                                        ("fine.é", torch.zeros(1))]), path)


def make_training_checkpoint(path):
    """A small checkpoint shaped like the benchmark's: model, SGD momentum state, scheduler, iteration."""
    g = torch.Generator().manual_seed(0)
    model = {f"layers.{i}.weight": torch.randn(4096, generator=g) for i in range(4)}
    state = {i: {"momentum_buffer": torch.randn(4096, generator=g)} for i in range(4)}
    torch.save({"model": model,
                "optimizer": {"state": state, "param_groups": [{"lr": 0.1, "momentum": 0.9, "params": [0, 1, 2, 3]}]},
                "scheduler": {"milestones": {30: 1, 80: 1}, "gamma": 0.1, "last_epoch": 10},
                "iteration": 9999}, path)
class IntoMLP(torch.nn.Module):
    """The module testdata/generate.py exports to testdata/onnx/mlp.onnx."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.norm = torch.nn.LayerNorm(8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.norm(self.fc1(x))))


def make_big_checkpoint(path):
    """A checkpoint big enough that `convert --compress` takes a few seconds (128 MB of random floats)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(1)
    torch.save({"w": torch.randn(32 * 1024 * 1024, generator=g)}, path)
    return path


def interrupt_run(launcher, made, big, folder, sig, ext=".npz"):
    """Starts a conversion, signals it once its temp file exists, expects nothing left in the folder."""
    import signal
    made.result()
    out = folder / ("out" + ext)
    p = subprocess.Popen([str(launcher), "convert", str(big), str(out), "--compress", "-q"], cwd=folder,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    seen = False
    while time.monotonic() < deadline and p.poll() is None:
        if os.listdir(folder):
            seen = True
            time.sleep(0.3)
            break
        time.sleep(0.005)
    if p.poll() is not None:
        p.communicate()
        return [f"the conversion ended (exit {p.returncode}) before it could be interrupted; make the input bigger"]
    if not seen:
        p.kill()
        p.communicate()
        return ["no temp file appeared within 60 s"]
    p.send_signal(getattr(signal, sig))
    try:
        _, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return [f"still running 60 s after {sig}"]
    problems = []
    if p.returncode == 0:
        problems.append(f"exit 0 after {sig}")
    problems += leftovers(folder, set())
    err = err.decode("utf-8", "replace")
    if "Exception" in err:
        problems.append(f"stack trace on {sig}: {err[:200]!r}")
    return problems, f"exit {p.returncode}, folder empty"


def npz_name_may_be_refused(name, names):
    """Names an .npz may refuse: path-like ones (a '/' or '\\', '.' or '..' segments) and the x / x.npy pair
    np.load would confuse. Everything else must come back exactly."""
    if "/" in name or "\\" in name or name in (".", "..") or "\0" in name:
        return True
    return name + ".npy" in names or (name.endswith(".npy") and name[:-4] in names)


def one_line_refusal(run, names, folder, quote=True, code=(1,)):
    """Exit 1 (or `code`), exactly one stderr line that names one of `names`, no trace, nothing left."""
    problems = []
    if run.rc not in code:
        problems.append(f"{run.why()}, want exit {' or '.join(map(str, code))}")
    lines = run.err_lines()
    if len(lines) != 1:
        problems.append(f"{len(lines)} stderr lines, want exactly 1: {lines[:3]}")
    text = run.err
    if "Exception" in text or "\tat " in text:
        problems.append("stderr shows a Java exception or stack trace")
    if lines and not lines[0].startswith("pthconvert: "):
        problems.append(f"stderr line does not start with 'pthconvert: ': {lines[0][:100]!r}")
    if names and not any((f"'{n}'" if quote else n) in text for n in names):
        problems.append(f"stderr does not name any of {sorted(names)[:6]}: {text.strip()[:200]!r}")
    problems += leftovers(folder, set())
    return problems


def parse_size(text):
    m = re.fullmatch(r"(\d+)(KB|MB|GB)?", text)
    return int(m.group(1)) * {None: 1, "KB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}[m.group(2)]


def header_of(b):
    n = int.from_bytes(b[:8], "little") if len(b) >= 8 else 0
    return b[8:8 + n].decode("utf-8", "replace")


def header_json(b):
    try:
        return json.loads(header_of(b))
    except ValueError:
        return None


def data_of(b):
    n = int.from_bytes(b[:8], "little")
    return b[8 + n:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="repository root (holds testdata/fixtures)")
    ap.add_argument("--launcher", required=True, help="bin/pthconvert (pth2safetensors, pth2npz beside it)")
    ap.add_argument("--work", required=True, help="scratch folder (emptied first)")
    ap.add_argument("--jobs", type=int, default=2, help="CLI processes at once (default 2)")
    ap.add_argument("--files", default="", help="only these fixtures (comma-separated), for a quick look (checks that need other fixtures then fail)")
    args = ap.parse_args()
    start = time.monotonic()
    work = Path(args.work)
    sentinel = work / ".interop-work"
    if work.exists() and any(work.iterdir()) and not sentinel.exists():
        print(f"FAIL setup: --work {work} is not empty and not an interop work folder; not deleting it", flush=True)
        print("0 passed, 1 failed", flush=True)
        return 1
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    sentinel.touch()
    print(f"interop: python {sys.version.split()[0]}, torch {torch.__version__}, numpy {np.__version__}, "
          f"safetensors {safetensors.__version__}; launcher {args.launcher}; jar "
          f"{os.environ.get('PTHCONVERT_JAR', '(default)')}", flush=True)
    suite = None
    try:
        suite = Suite(args)
        suite.run()
    except Exception as e:
        REPORT.error("suite", e)
    secs = time.monotonic() - start
    if suite is not None:
        print(f"interop: {suite.cli.count} CLI runs ({suite.cli.busy:.1f} s of process time) in {secs:.1f} s",
              flush=True)
    if REPORT.failures:
        print("failures:", flush=True)
        for f in REPORT.failures:
            print("  " + f, flush=True)
    print(f"{REPORT.passed} passed, {REPORT.failed} failed", flush=True)
    return 0 if REPORT.failed == 0 and REPORT.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
