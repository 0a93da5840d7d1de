#!/usr/bin/env python3
"""Writes pthconvert's test fixtures with real PyTorch, and checks them.

    .venv/bin/python testdata/generate.py            # (re)write testdata/fixtures and testdata/hostile
    .venv/bin/python testdata/generate.py --check    # load every fixture with torch and verify every TSV row
    .venv/bin/python testdata/generate.py --out DIR  # write into DIR/fixtures and DIR/hostile instead
    .venv/bin/python testdata/generate.py --only onnx  # (re)write only testdata/onnx (the --into graphs)

Everything is deterministic (fixed seeds, synthetic gradients instead of matmul backward passes, fixed
zip timestamps, normalised legacy storage keys): two runs on one machine give byte-identical files.

The naming rules of the manifest (selections `auto` and `all`, prefix stripping) are implemented in
`select_rows` below; fixtures/README.md states them for the Java side.

Nothing in this script loads a hostile file except `--check`, which calls `torch.load(weights_only=True)`
on each of them in a child process (torch's safe unpickler) and then checks that no marker file appeared.
"""

import argparse
import collections
import hashlib
import io
import math
import os
import pickle
import pickletools
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

HERE = Path(__file__).resolve().parent
MARKER_PREFIX = "/tmp/pthconvert-pwned-"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

FLOAT8 = [torch.float8_e4m3fn, torch.float8_e5m2, torch.float8_e4m3fnuz, torch.float8_e5m2fnuz]
if hasattr(torch, "float8_e8m0fnu"):
    FLOAT8.append(torch.float8_e8m0fnu)


def dname(dt):
    return str(dt).replace("torch.", "")


# --------------------------------------------------------------------------------------------------
# tensor bytes, hashes, naming rules
# --------------------------------------------------------------------------------------------------

def tensor_bytes(t):
    """C-contiguous little-endian bytes (quantized tensors: their int_repr)."""
    t = t.detach()
    if t.is_quantized:
        t = t.int_repr()
    t = t.resolve_conj().resolve_neg().contiguous().reshape(-1)
    if t.numel() == 0:
        return b""
    return t.view(torch.uint8).numpy().tobytes()


def sha(t):
    return hashlib.sha256(tensor_bytes(t)).hexdigest()


def has_data(t):
    """Tensors the manifest lists: strided, not on 'meta'."""
    return t.layout == torch.strided and not t.is_meta


def walk(obj, prefix=""):
    """Every tensor reachable from obj: (dotted name, tensor), dict keys / list indices / attributes."""
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
    elif isinstance(obj, np.ndarray) or isinstance(obj, np.generic):
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
    """Named tensors of a loaded object under selection mode 'auto' or 'all'."""
    if isinstance(obj, (nn.Module, torch.jit.ScriptModule)):
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


def manifest_rows(file, obj):
    rows = []
    for mode in ("auto", "all"):
        seen = set()
        # A file that is one bare tensor: the tool names it after the file's stem.
        pairs = [(Path(file).stem, obj)] if isinstance(obj, torch.Tensor) else select(obj, mode)
        for name, t in pairs:
            assert name not in seen, (file, name)
            seen.add(name)
            assert "\t" not in name and "\n" not in name
            if not has_data(t):
                continue
            rows.append((file, mode, name, dname(t.dtype), ",".join(str(d) for d in t.shape), sha(t)))
    return rows


# --------------------------------------------------------------------------------------------------
# float conversion policy (for casts.tsv and widened.tsv)
# --------------------------------------------------------------------------------------------------
# torch's NaN results depend on the code path (vector loop, scalar tail, CPU): the TSVs hash torch's
# result with every NaN lane replaced by the policy below. Non-NaN lanes are exactly torch's.

def bits(t):
    size = t.element_size()
    view = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[size]
    arr = t.contiguous().reshape(-1).view(view).numpy().astype(np.int64)
    if size < 8:
        arr &= (1 << (8 * size)) - 1
    return arr


def from_bits(arr, dtype, shape):
    size = torch.empty(0, dtype=dtype).element_size()
    np_t = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[size]
    raw = torch.from_numpy(np.asarray(arr).astype(np.uint64).astype(np_t).copy())
    return raw.view(dtype).reshape(shape)


def nan_f32_to_f16(b):
    return ((b >> 16) & 0x8000) | 0x7E00 | ((b >> 13) & 0x3FF)


def nan_f64_to_f32(b):
    return ((b >> 32) & 0x80000000) | 0x7FC00000 | ((b >> 29) & 0x7FFFFF)


def policy_cast(src, target):
    """src.to(target) with NaN lanes by policy: f32->f16 sign|0x7E00|mant>>13; f64->f32 quiet, top 23
    payload bits; f64->f16 through f32; anything->bf16 0x7FC0; same dtype: unchanged."""
    res = src.to(target).clone()
    if src.dtype == target:
        return res
    mask = torch.isnan(src).reshape(-1).numpy()
    if not mask.any():
        return res
    b = bits(src)
    if src.dtype == torch.float64:
        b = np.array([nan_f64_to_f32(int(x) & 0xFFFFFFFFFFFFFFFF) for x in b], dtype=np.int64)
    if target == torch.bfloat16:
        nan = np.full_like(b, 0x7FC0)
    elif target == torch.float16:
        nan = nan_f32_to_f16(b)
    elif target == torch.float32:
        nan = b
    else:
        raise ValueError(target)
    out = bits(res)
    out[mask] = nan[mask]
    return from_bits(out, target, res.shape)


def policy_widen(src):
    """src.float() with NaN lanes by policy: f16 sign, quiet bit, payload << 13; bf16 plain shift;
    float8 exactly torch (torch's float8 widening is the same on every path)."""
    res = src.float().clone()
    mask = torch.isnan(res).reshape(-1).numpy()
    if not mask.any() or src.dtype in FLOAT8:
        return res
    b = bits(src)
    if src.dtype == torch.float16:
        nan = ((b & 0x8000) << 16) | 0x7FC00000 | ((b & 0x3FF) << 13)
    elif src.dtype == torch.bfloat16:
        nan = b << 16
    else:
        raise ValueError(src.dtype)
    out = bits(res)
    out[mask] = nan[mask]
    return from_bits(out, torch.float32, res.shape)


# --------------------------------------------------------------------------------------------------
# zip helpers
# --------------------------------------------------------------------------------------------------

def torch_zip(path, records):
    """A zip written by torch's own PyTorchFileWriter (STORED, 64-byte aligned); it appends `version`,
    `byteorder` (unless given) and `.data/serialization_id`. The folder is the file's stem."""
    w = torch._C.PyTorchFileWriter(str(path))
    for name, data in records:
        w.write_record(name, data, len(data))
    w.write_end_of_file()


def standard_records(pkl, data_records=(), byteorder=b"little"):
    return ([("data.pkl", pkl), (".format_version", b"1"), (".storage_alignment", b"64"),
             ("byteorder", byteorder)] + list(data_records))


def read_records(path):
    """(name without top folder, bytes) in file order, and the top folder."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        top = infos[0].filename.split("/")[0]
        return [(i.filename[len(top) + 1:], z.read(i)) for i in infos], top


def raw_zip(entries):
    """Hand-made zip: entries are dicts name, payload (bytes as stored), method, crc, csize, usize."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        name = e["name"].encode()
        off = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, e["method"], 0, 0x21,
                           e["crc"], e["csize"], e["usize"], len(name), 0) + name + e["payload"]
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, e["method"], 0, 0x21,
                               e["crc"], e["csize"], e["usize"], len(name), 0, 0, 0, 0, 0, off) + name
    cd_off = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_off, 0)
    return bytes(out)


def stored_entry(name, data):
    return dict(name=name, payload=data, method=0, crc=zlib.crc32(data), csize=len(data), usize=len(data))


# --------------------------------------------------------------------------------------------------
# a tiny pickle assembler for hand-made pickles
# --------------------------------------------------------------------------------------------------

def p_str(s):
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def p_int(n):
    if 0 <= n < 256:
        return b"K" + bytes([n])
    if -2**31 <= n < 2**31:
        return b"J" + struct.pack("<i", n)
    return b"\x8a" + bytes([len(pickle.encode_long(n))]) + pickle.encode_long(n)


def p_tuple(items):
    return b"(" + b"".join(items) + b"t"


def p_global(mod, name):
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def p_tensor_v2(key, storage_cls, storage_numel, offset, size, stride):
    pid = p_tuple([p_str("storage"), p_global("torch", storage_cls), p_str(key), p_str("cpu"),
                   p_int(storage_numel)]) + b"Q"
    args = p_tuple([pid, p_int(offset), p_tuple([p_int(s) for s in size]),
                    p_tuple([p_int(s) for s in stride]), b"\x89",
                    p_global("collections", "OrderedDict") + b")R"])
    return p_global("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def p_dict(items):
    return b"}(" + b"".join(p_str(k) + v for k, v in items) + b"u"


def proto2(body):
    return b"\x80\x02" + body + b"."


# --------------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.norm = nn.LayerNorm(8)

    def forward(self, x):
        return self.norm(torch.relu(self.fc(x)))


class Net(nn.Module):
    """Whole-model fixture: nested submodules, Sequential, ModuleList, persistent and non-persistent buffers."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
        self.blocks = nn.ModuleList([Block(), Block()])
        self.head = nn.Linear(8, 3)
        self.register_buffer("scale", torch.full((3,), 0.5))
        self.register_buffer("cache", torch.zeros(4), persistent=False)
        self.note = "whole model"

    def forward(self, x):
        y = self.features(x).flatten(1)[:, :8]
        for b in self.blocks:
            y = b(y)
        return self.head(y) * self.scale


class ScriptNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.register_buffer("offset", torch.full((3,), 0.25), persistent=False)

    def forward(self, x):
        return self.bn(self.fc(x)) + self.offset


class SampleMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.norm = nn.LayerNorm(32)
        self.fc2 = nn.Linear(32, 4)


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(16, 5)


class TiedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 6)
        self.norm = nn.LayerNorm(6)
        self.decoder = nn.Linear(6, 10, bias=False)
        self.decoder.weight = self.embed.weight


class Evil:
    """'Imports code' hostile fixture: a class from __main__ rebuilt by NEWOBJ + BUILD (no call)."""

    def __init__(self):
        self.threshold = 0.5
        self.label = "harmless state"


Evil.__module__ = "__main__"


def marker(stem):
    return MARKER_PREFIX + stem


class PosixSystem:
    """Pickles as posix.system(cmd): the payload only touches a marker file."""

    def __init__(self, stem):
        self.cmd = "touch " + marker(stem)

    def __reduce__(self):
        return (os.system, (self.cmd,))


class SubprocessCall:
    def __init__(self, stem):
        self.args = ["touch", marker(stem)]

    def __reduce__(self):
        return (subprocess.check_call, (self.args,))


class BuiltinExec:
    def __init__(self, stem):
        self.code = f"open({marker(stem)!r}, 'w').close()"

    def __reduce__(self):
        return (exec, (self.code,))


def seeded(seed):
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def bn_stats(model, g):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g))
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            m.num_batches_tracked.fill_(7)


def synthetic_steps(model, opt, g, steps=2):
    """Optimizer steps with generated gradients: elementwise only, so the result is the same on every CPU."""
    for _ in range(steps):
        opt.zero_grad()
        for p in model.parameters():
            p.grad = torch.randn(p.shape, generator=g)
        opt.step()


def sample_sd():
    seeded(1)
    return SampleMLP().state_dict()


def conv_model():
    g = seeded(2)
    m = ConvNet()
    with torch.no_grad():
        bn_stats(m, g)
    return m


# --------------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------------

FIXTURES = []   # dicts: file, desc, call, make(path) -> object for the manifest, load(path) -> object
CASTS_ROWS, WIDENED_ROWS, QUANT_ROWS = [], [], []


def fixture(file, desc, call, load="torch"):
    def deco(fn):
        FIXTURES.append(dict(file=file, desc=desc, call=call, make=fn, load=load))
        return fn
    return deco


@fixture("sample.pth", "tiny realistic MLP state_dict (fc1 16->32, LayerNorm(32), fc2 32->4), saved to a "
         "buffer so its top folder is `archive/`; the README's first command converts it",
         "torch.save(model.state_dict(), io.BytesIO())")
def make_sample(path):
    sd = sample_sd()
    buf = io.BytesIO()
    torch.save(sd, buf)
    path.write_bytes(buf.getvalue())
    return sd


@fixture("bare_tensor.pt", "one bare tensor, no dict (torch.save(tensor, path)): converted under the file's "
         "stem, `bare_tensor`", "torch.save(torch.arange(12.).reshape(3, 4), path)")
def make_bare_tensor(path):
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    torch.save(t, path)
    return t


@fixture("state_dict.pth", "plain OrderedDict state_dict (with `_metadata`) of Conv2d + BatchNorm2d "
         "(num_batches_tracked int64 0-d) + Linear", "torch.save(model.state_dict(), path)")
def make_state_dict(path):
    sd = conv_model().state_dict()
    torch.save(sd, path)
    return sd


@fixture("dataparallel.pth", "state_dict of nn.DataParallel(model): every key starts with `module.` "
         "(stripped by default)", "torch.save(nn.DataParallel(model).state_dict(), path)")
def make_dataparallel(path):
    sd = nn.DataParallel(conv_model()).state_dict()
    assert all(k.startswith("module.") for k in sd)
    torch.save(sd, path)
    return sd


@fixture("compiled.pth", "state_dict with `_orig_mod.` prefixed keys as torch.compile leaves them "
         "(built by hand; stripped by default)", "torch.save(OrderedDict('_orig_mod.'+k: v), path)")
def make_compiled(path):
    sd = collections.OrderedDict(("_orig_mod." + k, v) for k, v in conv_model().state_dict().items())
    torch.save(sd, path)
    return sd


@fixture("train_sgd.ckpt", "training checkpoint {model, optimizer (SGD momentum=0.9, 2 steps: "
         "momentum_buffer per param, int keys), scheduler (MultiStepLR: a collections.Counter), "
         "iteration, epoch}", "torch.save({'model': sd, 'optimizer': opt.state_dict(), ...}, path)")
def make_train_sgd(path):
    m = conv_model()
    g = seeded(3)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 80], gamma=0.1)
    synthetic_steps(m, opt, g)
    sched.step()
    ck = {"model": m.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
          "iteration": 9999, "epoch": 3}
    torch.save(ck, path)
    return ck


@fixture("train_adam.pt", "training checkpoint {state_dict, optimizer (Adam, 2 steps: 0-d float32 `step`, "
         "exp_avg, exp_avg_sq), hyper-parameters (floats, tuple betas, str, list, None)}",
         "torch.save({'state_dict': sd, 'optimizer': adam.state_dict(), 'lr': ..., ...}, path)")
def make_train_adam(path):
    seeded(4)
    m = SampleMLP()
    g = seeded(5)
    opt = torch.optim.Adam(m.parameters(), lr=0.001, betas=(0.9, 0.999))
    synthetic_steps(m, opt, g)
    ck = {"state_dict": m.state_dict(), "optimizer": opt.state_dict(), "lr": 0.001, "betas": (0.9, 0.999),
          "name": "run-1", "tags": ["baseline", "adam", 3], "flags": None, "epoch": 2}
    assert opt.state_dict()["state"][0]["step"].dtype == torch.float32
    assert opt.state_dict()["state"][0]["step"].dim() == 0
    torch.save(ck, path)
    return ck


@fixture("lightning.ckpt", "Lightning-style checkpoint: state_dict keys keep their `model.` prefix, "
         "optimizer_states / lr_schedulers lists, hyper_parameters, loops, callbacks",
         "torch.save({'epoch', 'global_step', 'state_dict', 'optimizer_states', ...}, path)")
def make_lightning(path):
    seeded(6)
    inner = SampleMLP()
    g = seeded(7)
    opt = torch.optim.Adam(inner.parameters(), lr=3e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10)
    synthetic_steps(inner, opt, g, steps=1)
    sched.step()
    sd = collections.OrderedDict(("model." + k, v) for k, v in inner.state_dict().items())
    ck = {"epoch": 4, "global_step": 1234, "pytorch-lightning_version": "2.5.0",
          "state_dict": sd, "loops": {"fit_loop": {"state_dict": {}, "epoch_progress": {"total": {"ready": 5}}}},
          "callbacks": {"ModelCheckpoint{'monitor': 'val_loss'}": {"best_model_score": None}},
          "optimizer_states": [opt.state_dict()], "lr_schedulers": [sched.state_dict()],
          "hparams_name": "kwargs", "hyper_parameters": {"hidden": 32, "lr": 3e-4, "dropout": 0.1}}
    torch.save(ck, path)
    return ck


def special_floats(dt, mant_bits):
    fi = torch.finfo(dt)
    tiny = float(fi.tiny)
    vals = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1.0, -1.0, 0.5, 3.140625, 1 / 3,
            float(fi.max), float(fi.min), tiny, -tiny]
    if mant_bits:
        sub = tiny * 2.0 ** -mant_bits
        vals += [sub, -sub, tiny - sub]
    return torch.tensor(vals, dtype=torch.float64).to(dt)


@fixture("dtypes.pth", "one tensor per dtype (float64..bool, complex64/128, every float8, uint16/32/64) "
         "named by dtype; floats hold NaN, +-Inf, -0.0, subnormals, max/min (float8 types without Inf hold "
         "whatever torch's cast gives), ints hold min/max; `uint16`, `uint32`, `uint64` and float8 go "
         "through UntypedStorage + _rebuild_tensor_v3", "torch.save({dtype_name: tensor}, path)")
def make_dtypes(path):
    d = collections.OrderedDict()
    d["float64"] = special_floats(torch.float64, 52)
    d["float32"] = special_floats(torch.float32, 23)
    d["float16"] = special_floats(torch.float16, 10)
    d["bfloat16"] = special_floats(torch.bfloat16, 7)
    for dt, lo, hi in [(torch.int64, -2**63, 2**63 - 1), (torch.int32, -2**31, 2**31 - 1),
                       (torch.int16, -2**15, 2**15 - 1), (torch.int8, -128, 127), (torch.uint8, 0, 255)]:
        d[dname(dt)] = torch.tensor([lo, hi, 0, 1, -1 if lo < 0 else 2, 42], dtype=dt)
    d["bool"] = torch.tensor([True, False, True, True])
    d["complex64"] = torch.tensor([1 + 2j, complex(math.nan, math.inf), complex(-0.0, -0.0), -3.5 + 0.25j],
                                  dtype=torch.complex64)
    d["complex128"] = torch.tensor([1 + 2j, complex(math.inf, math.nan), complex(-0.0, 1e-310), 1e300 - 1e-300j],
                                   dtype=torch.complex128)
    mant = {torch.float8_e4m3fn: 3, torch.float8_e5m2: 2, torch.float8_e4m3fnuz: 3, torch.float8_e5m2fnuz: 2}
    for dt in FLOAT8:
        d[dname(dt)] = special_floats(dt, mant.get(dt, 0))
    for np_t, dt in [(np.uint16, torch.uint16), (np.uint32, torch.uint32), (np.uint64, torch.uint64)]:
        mx = np.iinfo(np_t).max
        d[dname(dt)] = torch.from_numpy(np.array([0, 1, mx, mx // 2, 12345], dtype=np_t))
    torch.save(d, path)
    for k in ["float16", "bfloat16"] + [dname(dt) for dt in FLOAT8]:
        WIDENED_ROWS.append(("dtypes.pth", k, d[k]))
    return d


@fixture("float8_all.pth", "every float8 dtype with all 256 bit patterns "
         "(torch.arange(256, dtype=uint8).view(dtype))", "torch.save({dtype_name: tensor}, path)")
def make_float8_all(path):
    d = collections.OrderedDict((dname(dt), torch.arange(256, dtype=torch.uint8).view(dt)) for dt in FLOAT8)
    torch.save(d, path)
    for k, v in d.items():
        WIDENED_ROWS.append(("float8_all.pth", k, v))
    return d


@fixture("half_all.pth", "all 65536 float16 bit patterns (exact widening of subnormals, NaN payloads)",
         "torch.save({'float16_all': torch.arange(65536).to(int16).view(float16)}, path)")
def make_half_all(path):
    d = {"float16_all": torch.arange(0, 65536, dtype=torch.int32).to(torch.int16).view(torch.float16)}
    torch.save(d, path)
    WIDENED_ROWS.append(("half_all.pth", "float16_all", d["float16_all"]))
    return d


@fixture("bf16_specials.pth", "bfloat16 specials (NaNs incl. a signalling one, +-Inf, +-0, subnormals, "
         "min-normal, max, lowest) and 2x64 random values", "torch.save({'specials', 'random'}, path)")
def make_bf16(path):
    g = seeded(8)
    spec = [0x7FC0, 0xFFC0, 0x7F81, 0x7F80, 0xFF80, 0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x0080,
            0x7F7F, 0xFF7F, 0x3F80, 0xBF80, 0x4049, 0x3EAB, 0x0101]
    d = collections.OrderedDict()
    d["specials"] = from_bits(spec, torch.bfloat16, (len(spec),))
    d["random"] = (torch.randn(2, 64, generator=g, dtype=torch.float64)
                   * torch.exp2(torch.randint(-40, 40, (2, 64), generator=g).double())).to(torch.bfloat16)
    torch.save(d, path)
    for k, v in d.items():
        WIDENED_ROWS.append(("bf16_specials.pth", k, v))
    return d


def f32_from(values):
    arr = np.array(values, dtype=np.float64)
    f = arr.astype(np.float32)
    assert np.array_equal(f.astype(np.float64), arr, equal_nan=True), "not exact in float32"
    return torch.from_numpy(f)


def f32_bits(b):
    return from_bits(b, torch.float32, (len(b),))


def f64_bits(b):
    return from_bits(b, torch.float64, (len(b),))


@fixture("casts.pth", "float32/float64 tensors for narrowing tests: NaNs, +-Inf, -0, subnormals of "
         "f32/f16/bf16, exact rounding ties (even and odd) and neighbours for f16 and bf16, f16 overflow "
         "(65520 -> inf, 65519 -> 65504), f64 values that round differently directly and through f32, random",
         "torch.save({name: tensor}, path); casts.tsv from t.to(target)")
def make_casts(path):
    g = seeded(9)
    d = collections.OrderedDict()
    d["f32_specials"] = f32_from([math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 2.0 ** -24, 1023 * 2.0 ** -24,
                                  2.0 ** -14, 65504.0, 2.0 ** -133, 127 * 2.0 ** -133, 2.0 ** -126,
                                  float(np.float32(3.3895314e38)), -float(np.float32(3.3895314e38))])
    d["f32_limits"] = f32_bits([0x7F7FFFFF, 0xFF7FFFFF, 0x00800000, 0x007FFFFF, 0x00000001, 0x80000001])
    d["f32_nan"] = f32_bits([0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FC02001, 0x7FFFFFFF,
                             0xFFFFFFFF, 0x7FA00000, 0x7F802000])
    u = 2.0 ** -23
    ties16 = [1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -11 + u, 1 + 2.0 ** -11 - u,
              1 + 3 * 2.0 ** -11 + u, 1 + 3 * 2.0 ** -11 - u,
              2.0 ** -25, 3 * 2.0 ** -25, 5 * 2.0 ** -25, 2.0 ** -25 + 2.0 ** -48, 2.0 ** -25 - 2.0 ** -49,
              2.0 ** -14 - 2.0 ** -25, 2049.0, 2051.0, 2049.0 + 2.0 ** -12, 4097.0 + 2.0 ** -11 * 4096,
              65504.0, 65519.0, 65520.0 - 2.0 ** -8, 65520.0, 65536.0, 1e10]
    d["f32_ties_f16"] = f32_from(ties16 + [-x for x in ties16])
    ties_bf = [1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 1 + 2.0 ** -8 + u, 1 + 2.0 ** -8 - u,
               1 + 3 * 2.0 ** -8 + u, 1 + 3 * 2.0 ** -8 - u, 257.0, 259.0, 2.0 ** 100 * (1 + 2.0 ** -8)]
    bf_bits = [0x00008000, 0x00018000, 0x00008001, 0x00007FFF, 0x7F7F8000, 0x7F7F7FFF, 0x7F7E8000,
               0x007F8000, 0x00FF8000]
    d["f32_ties_bf16"] = torch.cat([f32_from(ties_bf + [-x for x in ties_bf]),
                                    f32_bits(bf_bits + [b | 0x80000000 for b in bf_bits])])
    d["f32_random"] = (torch.randn(8, 8, generator=g, dtype=torch.float64)
                       * torch.exp2(torch.randint(-30, 30, (8, 8), generator=g).double())).float()
    d["f64_specials"] = torch.tensor([math.inf, -math.inf, 0.0, -0.0, 1.0, 2.0 ** -1022, 5e-324, -5e-324,
                                      1.7976931348623157e308, -1.7976931348623157e308], dtype=torch.float64)
    f32max = float(np.finfo(np.float32).max)
    half_ulp = 2.0 ** (127 - 24)
    d["f64_f32_edges"] = torch.tensor([
        f32max, f32max + half_ulp, f32max + half_ulp - 2.0 ** 70, f32max + half_ulp + 2.0 ** 70, -(f32max + half_ulp),
        2.0 ** -149, 2.0 ** -150, 3 * 2.0 ** -150, 2.0 ** -150 + 2.0 ** -200, 2.0 ** -151,
        1 + 2.0 ** -24, 1 + 3 * 2.0 ** -24, 1 + 2.0 ** -24 + 2.0 ** -52, 1 + 2.0 ** -24 - 2.0 ** -53,
        65519.0, 65520.0, 65519.99999999999, 2.0 ** -24, 2.0 ** -25], dtype=torch.float64)
    d["f64_nan"] = f64_bits([0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001,
                             0x7FF8000020000000, 0x7FFFFFFFFFFFFFFF, 0x7FF4000000000000, 0xFFF0000010000000])
    dr = [1 + 2.0 ** -11 + 2.0 ** -40, 1 + 3 * 2.0 ** -11 - 2.0 ** -40, 1 + 2.0 ** -8 + 2.0 ** -40,
          1 + 3 * 2.0 ** -8 - 2.0 ** -40, 2.0 ** -25 + 2.0 ** -60, 1 + 2.0 ** -11, 1 + 3 * 2.0 ** -8]
    d["f64_double_rounding"] = torch.tensor(dr + [-x for x in dr], dtype=torch.float64)
    d["f64_random"] = (torch.randn(4, 16, generator=g, dtype=torch.float64)
                       * torch.exp2(torch.randint(-60, 60, (4, 16), generator=g).double()))
    torch.save(d, path)
    for k, v in d.items():
        for target in (torch.float16, torch.bfloat16, torch.float32):
            CASTS_ROWS.append(("casts.pth", k, target, v))
    return d


@fixture("views.pth", "non-contiguous and shared storages: transposed, sliced with storage offset, "
         "expanded (stride 0), channels_last, 0-d, empty (0,5), two views of one base, a narrow view of a "
         "4096-element storage whose base is not saved", "torch.save({name: view}, path)")
def make_views(path):
    g = seeded(10)
    base = torch.arange(42, dtype=torch.float32).reshape(7, 6)
    big = torch.randn(4096, generator=g)
    d = collections.OrderedDict()
    d["base"] = base
    d["transposed"] = base.t()
    d["sliced"] = base[2:5, 1:3]
    d["row_view"] = base[3]
    d["col_view"] = base[:, 4]
    d["expanded"] = torch.tensor([1.5, -2.5, 3.5]).reshape(3, 1).expand(3, 4)
    d["channels_last"] = torch.randn(2, 3, 4, 5, generator=g).contiguous(memory_format=torch.channels_last)
    d["scalar"] = torch.tensor(3.25, dtype=torch.float64)
    d["empty"] = torch.empty(0, 5)
    d["stepped"] = base[::2, ::3]
    d["narrow_of_big"] = big.narrow(0, 1000, 7)
    d["int_tail"] = torch.arange(20, dtype=torch.int64)[15:]
    assert d["channels_last"].stride() == (60, 1, 15, 3)
    assert d["sliced"].storage_offset() == 13
    torch.save(d, path)
    return d


@fixture("tied.pth", "tied LM head: `decoder.weight` is the same Parameter as `embed.weight` (one storage, "
         "two names)", "torch.save(model.state_dict(), path)")
def make_tied(path):
    seeded(11)
    m = TiedLM()
    sd = m.state_dict()
    assert sd["decoder.weight"].data_ptr() == sd["embed.weight"].data_ptr()
    torch.save(sd, path)
    return sd


def normalise_legacy(data):
    """Replace the legacy format's storage keys (object addresses, different each run) by fixed ones
    numbered in order of first use, and write the key list and the records in that (= sorted) order."""
    f = io.BytesIO(data)
    for _ in range(3):
        pickle.load(f)
    start = f.tell()
    for op, _, _ in pickletools.genops(f):
        if op.name == "STOP":
            break
    main_end = f.tell()
    keys = pickle.load(f)
    pos = f.tell()
    main = data[start:main_end]
    dtypes = storage_dtypes(main)
    order = []
    for _, arg, _ in pickletools.genops(main):
        if isinstance(arg, str) and arg in keys and arg not in order:
            order.append(arg)
    assert sorted(order) == sorted(keys)
    records = {}
    for k in keys:
        count = struct.unpack("<q", data[pos:pos + 8])[0]
        size = count * (torch.empty(0, dtype=dtypes[k]).element_size() if k in dtypes else 1)
        records[k] = data[pos:pos + 8 + size]
        pos += 8 + size
    assert pos == len(data)
    mapping = {k: str(140000000000000 + 4096 * (i + 1)) for i, k in enumerate(order)}
    for k, new in mapping.items():
        old_tok = b"X" + struct.pack("<I", len(k)) + k.encode()
        new_tok = b"X" + struct.pack("<I", len(new)) + new.encode()
        main = main.replace(old_tok, new_tok)
    key_list = pickle.dumps([mapping[k] for k in order], protocol=2)
    return data[:start] + main + key_list + b"".join(records[k] for k in order)


def legacy_save(obj, path):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=False)
    path.write_bytes(normalise_legacy(buf.getvalue()))


@fixture("legacy.pth", "legacy non-zip format: views with storage offset, a transposed view sharing the base, "
         "f16, 0-d i64, bool; storage keys normalised (no float8/uint16: torch 2.13 cannot load those back from "
         "a legacy file)",
         "torch.save(sd, f, _use_new_zipfile_serialization=False)")
def make_legacy(path):
    g = seeded(12)
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    d = collections.OrderedDict()
    d["base"] = base
    d["view"] = base[1:, 2:]
    d["transposed"] = base.t()
    d["fc.weight"] = torch.randn(3, 2, generator=g)
    d["half"] = torch.randn(5, generator=g).half()
    d["steps"] = torch.tensor(17, dtype=torch.int64)
    d["mask"] = torch.tensor([True, False, True])
    legacy_save(d, path)
    return d


def proto_checkpoint(seed):
    g = seeded(seed)
    m = conv_model()
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.5)
    synthetic_steps(m, opt, g, steps=1)
    meta = collections.OrderedDict()
    meta["set"] = {1, 2, 3}
    meta["frozenset"] = frozenset({"a"})
    meta["tuple"] = (1, "two", 3.0, None)
    meta["big"] = 2 ** 70 + 1
    meta["neg_big"] = -(2 ** 70) - 1
    meta["u64max"] = 2 ** 64 - 1
    meta["i64min"] = -(2 ** 63)
    meta["floats"] = [0.1, -0.0, math.inf, -math.inf, math.nan, 1e308, 5e-324]
    meta["bytes"] = b"\x00\xffbytes"
    meta["bytearray"] = bytearray(b"xyz")
    meta["none"] = None
    meta["bools"] = [True, False]
    meta["ünïcödé ключ 🔑"] = "värde ✓"
    meta["complex"] = 1 - 2j
    return {"model": m.state_dict(), "optimizer": opt.state_dict(), "meta": meta, "epoch": 11}


@fixture("proto4.pth", "training checkpoint pickled with protocol 4 (FRAME, SHORT_BINUNICODE, STACK_GLOBAL, "
         "MEMOIZE): OrderedDict, set, frozenset, tuple, big ints (2**70+1, -(2**70)-1, 2**64-1, -2**63), "
         "floats incl. nan/inf/-0.0/5e-324, bytes, bytearray, None, bools, unicode keys, complex",
         "torch.save(obj, path, pickle_protocol=4)", load="torch-unsafe")
def make_proto4(path):
    ck = proto_checkpoint(13)
    torch.save(ck, path, pickle_protocol=4)
    return ck


@fixture("proto5.pth", "the same checkpoint pickled with protocol 5 (bytearray as BYTEARRAY8)",
         "torch.save(obj, path, pickle_protocol=5)", load="torch-unsafe")
def make_proto5(path):
    ck = proto_checkpoint(13)
    torch.save(ck, path, pickle_protocol=5)
    return ck


BE_SOURCE = None


def be_source():
    g = seeded(14)
    base = torch.randn(4, 3, generator=g)
    d = collections.OrderedDict()
    d["f32"] = base
    d["f32_view"] = base[1:, 1:]
    d["f64"] = torch.randn(5, generator=g, dtype=torch.float64)
    d["f16"] = torch.randn(6, generator=g).half()
    d["bf16"] = torch.randn(6, generator=g).bfloat16()
    d["i64"] = torch.tensor([-(2 ** 63), 2 ** 63 - 1, 1, -2], dtype=torch.int64)
    d["i32"] = torch.tensor([-(2 ** 31), 7], dtype=torch.int32)
    d["i16"] = torch.tensor([-32768, 32767, 258], dtype=torch.int16)
    d["u8"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    d["bool"] = torch.tensor([True, False, True])
    d["c64"] = torch.tensor([1 + 2j, -3.5 + 0.125j], dtype=torch.complex64)
    d["c128"] = torch.tensor([1e-300 + 2j], dtype=torch.complex128)
    return d


class Inert:
    """Stands in for every other global while scanning a pickle: calling or building it does nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass


def storage_dtypes(pkl):
    """Storage key -> dtype, from a data.pkl (torch's own classes, no tensor is built)."""
    found = {}

    class Scan(pickle.Unpickler):
        def persistent_load(self, pid):
            kind, cls, key = pid[0], pid[1], pid[2]
            assert kind == "storage"
            if cls is not torch.UntypedStorage:
                found[key] = cls.dtype
            return key

        def find_class(self, mod, name):
            # Never resolves anything but torch storage classes and dtypes: also used on hostile pickles.
            if mod == "torch._utils" and name == "_rebuild_tensor_v3":
                def v3(storage, offset, size, stride, rg, hooks, dtype, *rest):
                    found[storage] = dtype
                return v3
            if mod == "torch.storage" and name == "UntypedStorage":
                return torch.UntypedStorage
            if mod == "torch" and (name.endswith("Storage") or isinstance(getattr(torch, name, None), torch.dtype)):
                return getattr(torch, name)
            if (mod, name) == ("collections", "OrderedDict"):
                return collections.OrderedDict
            return Inert

    Scan(io.BytesIO(pkl)).load()
    return found


def byteswap(data, dtype):
    size = torch.empty(0, dtype=dtype).element_size()
    if dtype.is_complex:
        size //= 2
    if size == 1:
        return data
    return np.frombuffer(data, dtype=f"<u{size}").byteswap().tobytes()


@fixture("bigendian.pth", "big-endian copy of a little-endian checkpoint (f32 + view, f64, f16, bf16, i64, "
         "i32, i16, u8, bool, c64, c128): `byteorder` is `big` and every storage record is "
         "byte-swapped per element (complex: per half); manifest = the little-endian tensors",
         "torch.save then records rewritten through torch._C.PyTorchFileWriter")
def make_bigendian(path):
    d = be_source()
    save_big_endian(d, path)
    return d


def save_big_endian(obj, path):
    """torch.save of obj as a big-endian machine would write it: `byteorder` `big`, every storage record
    byte-swapped per element of its tensor's dtype (complex: per half)."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    recs, _ = read_records(buf)
    dtypes = storage_dtypes(dict(recs)["data.pkl"])
    out = []
    for name, data in recs:
        if name in ("version", ".data/serialization_id"):
            continue
        if name == "byteorder":
            data = b"big"
        elif name.startswith("data/"):
            data = byteswap(data, dtypes[name[5:]])
        out.append((name, data))
    torch_zip(path, out)


def be_untyped_source():
    g = seeded(15)
    d = collections.OrderedDict()
    base = torch.tensor([1, 258, 65535, 4096, 2, 3, 513, 0x8001, 7, 8, 9, 10], dtype=torch.uint16).reshape(3, 4)
    d["u16"] = base
    d["u16_t"] = base.t()
    d["u32"] = torch.tensor([1, 65536, 2 ** 32 - 1], dtype=torch.uint32)
    d["u64"] = torch.tensor([1, 2 ** 40, 2 ** 64 - 1], dtype=torch.uint64)
    d["f8"] = torch.tensor([1.0, -2.0, 0.5]).to(torch.float8_e5m2)
    d["f32"] = torch.randn(3, generator=g)
    return d


@fixture("bigendian_untyped.pth", "big-endian copy (made as bigendian.pth) of uint16 (and a transposed view of "
         "it), uint32, uint64, float8 and float32 tensors: torch.save gives the first four UntypedStorage and "
         "`_rebuild_tensor_v3`, and torch.load swaps a storage by its class's dtype, uint8 for UntypedStorage: "
         "their bytes come back as stored (manifest = what torch.load gives, not the source; float32 is swapped)",
         "torch.save then records rewritten through torch._C.PyTorchFileWriter")
def make_bigendian_untyped(path):
    save_big_endian(be_untyped_source(), path)
    return torch.load(path, weights_only=True)


@fixture("rezipped_deflated.pth", "state_dict.pth unzipped and re-zipped by Python zipfile with ZIP_DEFLATED "
         "(records compressed, not aligned, no data descriptors; top folder still `state_dict/`)",
         "zipfile.ZipFile(path, 'w', ZIP_DEFLATED) over state_dict.pth's records")
def make_rezipped(path):
    src = path.parent / "state_dict.pth"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, zin.read(info))
    return conv_model().state_dict()


@fixture("unicode_names.pth", "awkward key names for writers: non-ASCII, NFC vs NFD twins, emoji, spaces, "
         "`a/b`, `..`, `../escape`, `/abs`, backslash, `x` beside `x.npy`, names ending in `.npy`, "
         "case twins, a Windows device name", "torch.save({name: tensor}, path)")
def make_unicode(path):
    g = seeded(15)
    names = ["ünïcödé.weight", "日本語.重み", "emoji🔥.bias", "caf\u00e9", "cafe\u0301", "with space",
             "trailing space ", "a/b", "a/../b", "..", "../escape", "/abs", "back\\slash", "x", "x.npy",
             "weights.npy", "Case", "case", "CON", "dots..in..name"]
    d = collections.OrderedDict((n, torch.randn(2, generator=g)) for n in names)
    torch.save(d, path)
    return d


@fixture("whole_model.pt", "torch.save(model) of `__main__.Net`: Sequential, ModuleList of `__main__.Block`, "
         "persistent buffer `scale`, non-persistent buffer `cache` (in the pickle, NOT in the manifest), "
         "a str attribute", "torch.save(model, path)", load="torch-unsafe")
def make_whole_model(path):
    g = seeded(16)
    m = Net()
    with torch.no_grad():
        bn_stats(m, g)
    m.cache.copy_(torch.arange(4.0))
    torch.save(m, path)
    return m


@fixture("torchscript.pt", "TorchScript archive of `ScriptNet` (Linear, BatchNorm1d, non-persistent buffer "
         "`offset`, which TorchScript's state_dict() lists anyway)", "torch.jit.save(torch.jit.script(model), path)",
         load="jit")
def make_torchscript(path):
    g = seeded(17)
    m = ScriptNet()
    with torch.no_grad():
        bn_stats(m, g)
    sm = torch.jit.script(m.eval())
    torch.jit.save(sm, str(path))
    return sm


@fixture("torchscript_bigendian.pt", "torchscript.pt with its `byteorder` record saying `big` (records "
         "otherwise unchanged, re-zipped STORED): torch.load hands a TorchScript archive to torch.jit.load, "
         "which never reads that record, so the tensors are torchscript.pt's", "zipfile copy of torchscript.pt",
         load="jit")
def make_torchscript_bigendian(path):
    src = path.parent / "torchscript.pt"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            data = zin.read(info)
            zout.writestr(zi, b"big" if info.filename.endswith("/byteorder") else data)
    return torch.jit.load(str(path))


@fixture("quantized.pth", "quantized tensors: per-tensor quint8/qint8/qint32 and per-channel qint8 (axis 0) / "
         "quint8 (axis 1) beside a float tensor; per-channel scales/zero_points are f64/i64 tensors inside the "
         "quantizer params (not separate outputs)", "torch.quantize_per_tensor / torch.quantize_per_channel; torch.save")
def make_quantized(path):
    g = seeded(18)
    d = collections.OrderedDict()
    d["float"] = torch.randn(3, generator=g)
    d["per_tensor_quint8"] = torch.quantize_per_tensor(torch.randn(4, 3, generator=g), 0.05, 128, torch.quint8)
    d["per_tensor_qint8"] = torch.quantize_per_tensor(torch.randn(5, generator=g), 0.1, -3, torch.qint8)
    d["per_tensor_qint32"] = torch.quantize_per_tensor(torch.randn(3, generator=g), 0.001, 5, torch.qint32)
    d["per_channel_qint8"] = torch.quantize_per_channel(torch.randn(3, 4, generator=g),
                                                        torch.tensor([0.1, 0.02, 0.3], dtype=torch.float64),
                                                        torch.tensor([0, 1, -2]), 0, torch.qint8)
    d["per_channel_quint8_axis1"] = torch.quantize_per_channel(torch.randn(2, 3, generator=g),
                                                               torch.tensor([0.5, 0.25, 0.125], dtype=torch.float64),
                                                               torch.tensor([10, 20, 30]), 1, torch.quint8)
    torch.save(d, path)
    return d


@fixture("numpy_hparams.ckpt", "state_dict beside hyper-parameters with a numpy float64 scalar, a numpy int64 "
         "scalar, a numpy array and an argparse.Namespace (whose `class_weights` attribute is a tensor: `all` "
         "finds it by attribute)", "torch.save({'state_dict', 'hyper_parameters', 'args'}, path)",
         load="torch-unsafe")
def make_numpy(path):
    g = seeded(19)
    sd = sample_sd()
    ns = argparse.Namespace(lr=0.01, arch="mlp", layers=[16, 32], class_weights=torch.randn(4, generator=g))
    ck = {"state_dict": sd,
          "hyper_parameters": {"lr": np.float64(0.01), "seed": np.int64(42), "mean": np.arange(3, dtype=np.float32)},
          "args": ns}
    torch.save(ck, path)
    return ck


@fixture("meta_tensor.pth", "a tensor on device 'meta' (`weight`, no data: _rebuild_meta_tensor_no_storage) "
         "beside a real one (`bias`)", "torch.save({'weight': torch.empty(3, 4, device='meta'), 'bias': ...}, path)")
def make_meta(path):
    g = seeded(20)
    d = collections.OrderedDict()
    d["weight"] = torch.empty(3, 4, device="meta")
    d["bias"] = torch.randn(4, generator=g)
    torch.save(d, path)
    return d


@fixture("sparse.pth", "a sparse COO tensor (`sparse`: _rebuild_sparse_tensor over an i64 indices and a f32 "
         "values tensor) beside a dense one", "torch.save({'dense': t, 'sparse': t.to_sparse()}, path)")
def make_sparse(path):
    g = seeded(21)
    d = collections.OrderedDict()
    d["dense"] = torch.randn(3, 3, generator=g)
    d["sparse"] = torch.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [-1.5, 0.0, 4.0]]).to_sparse()
    torch.save(d, path)
    return d


@fixture("subclass_param.pth", "nn.Parameter (_rebuild_parameter), a frozen Parameter, a Parameter with a Python "
         "attribute (_rebuild_parameter_with_state) and a plain tensor with a Python attribute "
         "(torch._tensor._rebuild_from_type_v2)", "torch.save({...}, path)")
def make_subclass(path):
    g = seeded(22)
    d = collections.OrderedDict()
    d["weight"] = nn.Parameter(torch.randn(3, 2, generator=g))
    d["frozen"] = nn.Parameter(torch.randn(2, generator=g), requires_grad=False)
    p = nn.Parameter(torch.randn(2, 2, generator=g))
    p.note = "param with state"
    d["param_with_attr"] = p
    t = torch.randn(3, generator=g)
    t.tag = "tensor with state"
    d["tensor_with_attr"] = t
    torch.save(d, path)
    return d


def plain_fixture(file, what, value, spelled):
    """A state dict beside one plain value torch.save's default protocol (2) writes with a global."""
    @fixture(file, f"a tensor beside {what}: protocol 2 writes it as `{spelled}`; plain data, so convert and "
             "scan must pass it (issue 9's false alarm)", "torch.save({'w': tensor, ...}, path)")
    def make(path):
        d = {"w": torch.arange(4, dtype=torch.float32), "value": value}
        torch.save(d, path)
        return d
    return make


for _file, _what, _value, _spelled in [
        ("plain_bytes_empty.pth", "b''", b"", "__builtin__.bytes()"),
        ("plain_bytes.pth", "non-empty bytes", b"\x00\xffpth", "_codecs.encode(str, 'latin1')"),
        ("plain_bytearray.pth", "a bytearray", bytearray(b"ab\x00"), "__builtin__.bytearray + _codecs.encode"),
        ("plain_range.pth", "a range", range(1, 10, 2), "__builtin__.xrange"),
        ("plain_set.pth", "a set", {3, 1, 2}, "__builtin__.set"),
        ("plain_frozenset.pth", "a frozenset", frozenset({"a", "b"}), "__builtin__.frozenset"),
        ("plain_complex.pth", "a complex", complex(1.5, -2.0), "__builtin__.complex"),
        ("plain_slice.pth", "a slice", slice(1, 8, 2), "__builtin__.slice"),
        ("plain_object.pth", "a bare object()", object(), "__builtin__.object + NEWOBJ")]:
    plain_fixture(_file, _what, _value, _spelled)


REFUSE_NOTES = {
    "meta_tensor.pth": "`weight` (meta: no data) must be refused or skipped by name; only `bias` has rows.",
    "sparse.pth": "`sparse` (sparse COO) must be refused or skipped by name (a careless reader emits its indices "
                  "and values as if they were dense tensors); only `dense` has rows. If the tool ever densifies: "
                  "sha256 of `to_dense()` (float32, 3,3) is {sparse_dense}.",
    "whole_model.pt": "the pickle also holds `cache` (a non-persistent buffer, listed in "
                      "`_non_persistent_buffers_set`): a reader must not output it.",
    "quantized.pth": "per-channel `scales` (float64) and `zero_points` (int64) are themselves tensors inside the "
                     "quantizer params: they are not outputs.",
}


# --------------------------------------------------------------------------------------------------
# hostile corpus
# --------------------------------------------------------------------------------------------------

HOSTILE = []   # dicts: file, expect, keyword, desc, make(path)


def hostile(file, expect, keyword, desc):
    def deco(fn):
        HOSTILE.append(dict(file=file, expect=expect, keyword=keyword, desc=desc, make=fn))
        return fn
    return deco


def stem(path):
    return Path(path).name.split(".")[0]


def touch_cmd(path):
    return "touch " + marker(stem(path))


def write_code(path):
    return f"open({marker(stem(path))!r}, 'w').close()"


def zip_payload(path, pkl):
    torch_zip(path, standard_records(pkl))


@hostile("os_system_p2.pth", "dangerous", "os.system",
         "protocol 2: GLOBAL 'os system' + REDUCE, in a torch zip")
def h_os_p2(path):
    zip_payload(path, proto2(p_global("os", "system") + p_str(touch_cmd(path)) + b"\x85R"))


@hostile("os_system_p4.pth", "dangerous", "os.system",
         "protocol 4: FRAME, SHORT_BINUNICODE 'os' 'system', STACK_GLOBAL, REDUCE, in a torch zip")
def h_os_p4(path):
    cmd = touch_cmd(path).encode()
    body = (b"\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c" + bytes([len(cmd)]) + cmd + b"\x94\x85\x94R\x94.")
    zip_payload(path, b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body)


@hostile("posix_system.pt", "dangerous", "posix.system",
         "torch.save of {'weight': tensor, 'x': obj} whose __reduce__ is os.system (pickled as `posix system`)")
def h_posix(path):
    torch.save({"weight": torch.ones(2), "x": PosixSystem(stem(path))}, path)


@hostile("builtins_eval.pth", "dangerous", "builtins.eval",
         "protocol 4 STACK_GLOBAL 'builtins' 'eval' of an expression that creates the marker")
def h_eval(path):
    expr = write_code(path).encode()
    body = (b"\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c" + bytes([len(expr)]) + expr +
            b"\x94\x85\x94R\x94.")
    zip_payload(path, b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body)


@hostile("builtins_exec.pt", "dangerous", "exec",
         "torch.save of an object whose __reduce__ is exec (protocol 2 spells it `__builtin__ exec`)")
def h_exec(path):
    torch.save({"weight": torch.zeros(2), "x": BuiltinExec(stem(path))}, path)


@hostile("subprocess_check_call.pth", "dangerous", "subprocess.check_call",
         "GLOBAL 'subprocess check_call' called with (['touch', marker],)")
def h_subprocess(path):
    arg = b"](" + p_str("touch") + p_str(marker(stem(path))) + b"e"
    zip_payload(path, proto2(p_global("subprocess", "check_call") + arg + b"\x85R"))


@hostile("commands_check_call.pt", "dangerous", "check_call",
         "torch.save of an object whose __reduce__ is subprocess.check_call: protocol 2's Python-2 name mapping "
         "writes it as `commands check_call`, which Python 3 maps back to subprocess on load")
def h_commands(path):
    torch.save({"weight": torch.zeros(2), "x": SubprocessCall(stem(path))}, path)


@hostile("runpy_run_code.pth", "dangerous", "runpy._run_code",
         "GLOBAL 'runpy _run_code' called with (code string, {})")
def h_runpy(path):
    zip_payload(path, proto2(p_global("runpy", "_run_code") + p_str(write_code(path)) + b"}\x86R"))


@hostile("functools_partial.pth", "dangerous", "functools.partial",
         "functools.partial(os.system, cmd) built by REDUCE, then called by a second REDUCE")
def h_partial(path):
    zip_payload(path, proto2(p_global("functools", "partial") + p_global("os", "system") +
                             p_str(touch_cmd(path)) + b"\x86R)R"))


@hostile("inst_p0.pt", "dangerous", "os.system",
         "bare protocol-0 pickle (no zip, no PROTO): MARK, STRING cmd, INST 'os system'")
def h_inst(path):
    path.write_bytes(b"(S'" + touch_cmd(path).encode() + b"'\nios\nsystem\n.")


@hostile("obj_opcode.pth", "dangerous", "os.system",
         "OBJ opcode: MARK, GLOBAL 'os system', BINUNICODE cmd, OBJ (calls os.system(cmd)), in a torch zip")
def h_obj(path):
    zip_payload(path, b"(" + p_global("os", "system") + p_str(touch_cmd(path)) + b"o.")


@hostile("payload_then_bad_opcode.pth", "dangerous", "os.system",
         "os.system REDUCE followed by an undefined opcode byte 0xf0 (a streaming unpickler runs the payload "
         "before it fails): must be reported as dangerous, not merely broken")
def h_bad_after(path):
    zip_payload(path, b"\x80\x02" + p_global("os", "system") + p_str(touch_cmd(path)) + b"\x85R\xf0.")


@hostile("nested_in_state_dict.pth", "dangerous", "os.system",
         "a real state_dict (fc.weight, fc.bias tensors) whose `fc.extra` value is an os.system REDUCE")
def h_nested(path):
    sd = collections.OrderedDict()
    sd["fc.weight"] = torch.ones(2, 2)
    sd["fc.extra"] = PosixSystem(stem(path))
    sd["fc.bias"] = torch.zeros(2)
    buf = io.BytesIO()
    torch.save(sd, buf)
    recs, _ = read_records(buf)
    out = []
    for name, data in recs:
        if name in ("version", ".data/serialization_id"):
            continue
        if name == "data.pkl":
            assert b"cposix\nsystem\n" in data
            data = data.replace(b"cposix\nsystem\n", b"cos\nsystem\n")
        out.append((name, data))
    torch_zip(path, out)


@hostile("legacy_posix_system.pt", "dangerous", "posix.system",
         "legacy (non-zip) torch.save whose main pickle holds a posix.system REDUCE beside a tensor")
def h_legacy(path):
    legacy_save({"weight": torch.ones(3), "x": PosixSystem(stem(path))}, path)


@hostile("main_evil_class.pth", "imports", "__main__.evil",
         "a `__main__.Evil` object rebuilt by NEWOBJ + BUILD only (no call of a dangerous global) beside real "
         "tensors: readable, but the scan must say it imports code")
def h_evil(path):
    torch.save({"weight": torch.ones(2), "config": Evil()}, path)


# Calls that are not REDUCE, names resolved as CPython resolves them, references that are dangerous.

def with_tensor(path, items, proto=b"\x80\x02"):
    """data.pkl = {'w': a 4-float tensor, **items} (items are pickle fragments), with its data record."""
    body = b"}(" + p_str("w") + p_tensor_v2("0", "FloatStorage", 4, 0, (4,), (1,))
    body += b"".join(p_str(k) + v for k, v in items) + b"u."
    torch_zip(path, standard_records(proto + body, [("data/0", struct.pack("<4f", 1, 2, 3, 4))]))


def p_unicode4(s):
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


@hostile("dotted_posixpath.pth", "dangerous", "os.system",
         "protocol 4 STACK_GLOBAL 'posixpath' 'os.system': the unpickler walks attributes, posixpath.os.system is "
         "os.system; called with a touch command beside a tensor")
def h_dotted(path):
    call = p_unicode4("posixpath") + p_unicode4("os.system") + b"\x93" + p_str(touch_cmd(path)) + b"\x85R"
    with_tensor(path, [("x", call)], proto=b"\x80\x04")


@hostile("compat_cpickle_loads.pth", "dangerous", "pickle.loads",
         "protocol 2 GLOBAL 'cPickle loads' (Python 2 name, mapped to pickle.loads on load) of an inner pickle "
         "that calls os.system")
def h_cpickle(path):
    inner = p_global("os", "system") + p_str(touch_cmd(path)) + b"\x85R."
    call = p_global("cPickle", "loads") + b"C" + bytes([len(inner)]) + inner + b"\x85R"
    with_tensor(path, [("x", call)])


@hostile("eval_reference.pth", "dangerous", "builtins.eval",
         "`__builtin__ eval` kept as a value (never called) beside a tensor: a reference to a code-running "
         "callable is dangerous wherever it sits")
def h_eval_ref(path):
    with_tensor(path, [("fn", p_global("__builtin__", "eval"))])


@hostile("build_setstate_planted.pth", "dangerous", "os.system",
         "an OrderedDict whose BUILD state plants `__setstate__` = os.system in its __dict__; a second BUILD "
         "then calls it with a touch command (no REDUCE of os.system)")
def h_build_setstate(path):
    obj = (p_global("collections", "OrderedDict") + b")R" + b"}" + p_str("__setstate__") + p_global("os", "system")
           + b"sb" + p_str(touch_cmd(path)) + b"b")
    with_tensor(path, [("x", obj)])


@hostile("param_state_setstate.pth", "dangerous", "os.system",
         "_rebuild_parameter_with_state whose state sets `__setstate__` = os.system on the Parameter "
         "(torch._utils._set_obj_state), then a BUILD on it calls os.system")
def h_param_state(path):
    tensor = p_tensor_v2("0", "FloatStorage", 4, 0, (4,), (1,))
    state = b"}" + p_str("__setstate__") + p_global("os", "system") + b"s"
    param = (p_global("torch._utils", "_rebuild_parameter_with_state") + b"(" + tensor + b"\x89"
             + p_global("collections", "OrderedDict") + b")R" + state + b"tR" + p_str(touch_cmd(path)) + b"b")
    body = b"}(" + p_str("w") + param + b"u."
    torch_zip(path, standard_records(b"\x80\x02" + body, [("data/0", struct.pack("<4f", 1, 2, 3, 4))]))


@hostile("extend_planted.pth", "dangerous", "subprocess.check_call",
         "an argparse.Namespace (NEWOBJ) whose BUILD state plants `extend` = subprocess.check_call; APPENDS on "
         "it then calls extend(['touch', marker])")
def h_extend(path):
    obj = (p_global("argparse", "Namespace") + b")\x81" + b"}" + p_str("extend")
           + p_global("subprocess", "check_call") + b"sb" + b"(" + p_str("touch") + p_str(marker(stem(path))) + b"e")
    with_tensor(path, [("x", obj)])


@hostile("setitem_unlisted.pth", "imports", "__main__.table",
         "SETITEMS on a `__main__.Table` made by NEWOBJ: CPython calls Table.__setitem__, the class's own code")
def h_setitem(path):
    obj = p_global("__main__", "Table") + b")\x81" + b"(" + p_str("k") + p_int(1) + b"u"
    with_tensor(path, [("x", obj)])


@hostile("build_slot_class.pth", "imports", "__main__.evil",
         "BUILD with slot state {'__class__': __main__.Evil} on an argparse.Namespace: setattr changes the "
         "object's class")
def h_slot_class(path):
    obj = (p_global("argparse", "Namespace") + b")\x81" + b"N}" + p_str("__class__") + p_global("__main__", "Evil")
           + b"s\x86b")
    with_tensor(path, [("x", obj)])


@hostile("ansi_class_name.pth", "imports", "__main__",
         "NEWOBJ of a `__main__` class whose name holds terminal escapes (erase line, cursor up): printed "
         "output must escape them")
def h_ansi(path):
    obj = b"c__main__\nX\x1b[2K\x1b[1AEvil\n)\x81"
    with_tensor(path, [("x", obj)])


@hostile("lightning_callbacks.ckpt", "imports", "pytorch_lightning",
         "Lightning-style checkpoint (state_dict, callbacks) that pickles a "
         "`pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint` object: readable, but importing "
         "pytorch_lightning runs it")
def h_lightning(path):
    import types
    names = ["pytorch_lightning", "pytorch_lightning.callbacks", "pytorch_lightning.callbacks.model_checkpoint"]
    mods = {n: types.ModuleType(n) for n in names}
    cls = type("ModelCheckpoint", (), {"__module__": names[-1]})
    mods[names[-1]].ModelCheckpoint = cls
    saved = {n: sys.modules.get(n) for n in names}
    sys.modules.update(mods)
    try:
        cb = cls()
        cb.monitor, cb.save_top_k = "val_loss", 3
        g = seeded(31)
        torch.save({"state_dict": collections.OrderedDict(
            [("model.weight", torch.randn(3, 2, generator=g)), ("model.bias", torch.zeros(3))]),
            "callbacks": {"ModelCheckpoint{'monitor': 'val_loss'}": {"best_model_score": torch.tensor(0.25)}},
            "callback_objects": [cb], "epoch": 3}, path)
    finally:
        for n, m in saved.items():
            if m is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = m


def small_valid_zip_bytes(stem_name):
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / f"{stem_name}.pth"
        torch.save(conv_model().state_dict(), tmp)
        return tmp.read_bytes()


@hostile("truncated_half.pth", "invalid", "truncated",
         "a valid torch zip (state_dict) cut in half: no central directory")
def h_trunc_zip(path):
    data = small_valid_zip_bytes("truncated_half")
    path.write_bytes(data[:len(data) // 2])


@hostile("corrupt_central_dir.pth", "invalid", "zip",
         "a valid torch zip whose central directory bytes are overwritten with 0xA5 (the end record is intact)")
def h_corrupt_cd(path):
    data = bytearray(small_valid_zip_bytes("corrupt_central_dir"))
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_off = struct.unpack("<II", data[eocd + 12:eocd + 20])
    data[cd_off:cd_off + cd_size] = b"\xa5" * cd_size
    path.write_bytes(bytes(data))


@hostile("pickle_truncated.pth", "invalid", "truncated",
         "valid zip, but data.pkl is a real state_dict pickle cut mid-stream (no STOP)")
def h_trunc_pkl(path):
    buf = io.BytesIO()
    torch.save(conv_model().state_dict(), buf)
    recs, _ = read_records(buf)
    out = []
    for name, data in recs:
        if name in ("version", ".data/serialization_id"):
            continue
        if name == "data.pkl":
            data = data[:len(data) // 2]
        out.append((name, data))
    torch_zip(path, out)


@hostile("unknown_opcode.pth", "invalid", "opcode",
         "valid zip, data.pkl = PROTO 2, EMPTY_DICT, then the undefined opcode 0xf0")
def h_unknown(path):
    zip_payload(path, b"\x80\x02}\xf0.")


@hostile("memo_missing.pth", "invalid", "memo",
         "valid zip, data.pkl does BINGET 5 with only memo slot 0 set")
def h_memo_missing(path):
    zip_payload(path, b"\x80\x02]q\x00h\x05\x86.")


@hostile("memo_2pow31.pth", "invalid", "memo",
         "valid zip, data.pkl does LONG_BINPUT 2**31 then LONG_BINGET 2**31 (legal for Python's dict memo, but "
         "CPython's C unpickler grows its memo array to 2**32 slots; a reader must bound memo indices)")
def h_memo_big(path):
    zip_payload(path, b"\x80\x02]r\x00\x00\x00\x80j\x00\x00\x00\x80\x86.")


@hostile("storage_short.pth", "invalid", "storage",
         "tensor (16,) over FloatStorage numel 16 whose record data/0 has only 32 bytes (8 floats)")
def h_storage_short(path):
    pkl = proto2(p_dict([("weight", p_tensor_v2("0", "FloatStorage", 16, 0, (16,), (1,)))]))
    zip_payload_records(path, pkl, [("data/0", b"\x00" * 32)])


def zip_payload_records(path, pkl, data_records):
    torch_zip(path, standard_records(pkl, data_records))


@hostile("view_out_of_bounds.pth", "invalid", "storage",
         "FloatStorage of 8 (record 32 bytes, consistent) but the tensor has offset 6, size (4,): it would read "
         "elements 6..9")
def h_view_oob(path):
    pkl = proto2(p_dict([("ok", p_tensor_v2("0", "FloatStorage", 8, 0, (8,), (1,))),
                         ("weight", p_tensor_v2("0", "FloatStorage", 8, 6, (4,), (1,)))]))
    zip_payload_records(path, pkl, [("data/0", struct.pack("<8f", *range(8)))])


@hostile("numel_overflow.pth", "invalid", "overflow",
         "shape (2**40, 2**40) stride (2**40, 1): numel 2**80 overflows 64 bits (storage of 4 floats)")
def h_overflow(path):
    pkl = proto2(p_dict([("weight", p_tensor_v2("0", "FloatStorage", 4, 0, (2 ** 40, 2 ** 40), (2 ** 40, 1)))]))
    zip_payload_records(path, pkl, [("data/0", b"\x00" * 16)])


@hostile("storage_terabytes.pth", "invalid", "storage",
         "persistent id declares a FloatStorage of 2**40 elements (4 TiB) and a tensor of that size; the record "
         "has 16 bytes: nothing may be allocated from the declared size")
def h_terabytes(path):
    pkl = proto2(p_dict([("weight", p_tensor_v2("0", "FloatStorage", 2 ** 40, 0, (2 ** 40,), (1,)))]))
    zip_payload_records(path, pkl, [("data/0", b"\x00" * 16)])


@hostile("html_page.pth", "invalid", "html", "an HTML error page saved under a .pth name")
def h_html(path):
    path.write_bytes(b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
                     b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n")


@hostile("lfs_pointer.pth", "invalid", "lfs", "a Git LFS pointer file saved as .pth")
def h_lfs(path):
    path.write_bytes(b"version https://git-lfs.github.com/spec/v1\n"
                     b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                     b"size 12345\n")


@hostile("empty.pth", "invalid", "empty", "a zero-byte file")
def h_empty(path):
    path.write_bytes(b"")


@hostile("deep_nesting.pth", "invalid", "nest",
         "valid zip, data.pkl builds lists nested 200,000 levels deep (200,000 EMPTY_LIST then 199,999 APPEND); "
         "torch's own weights_only unpickler loads it, a reader must refuse by depth instead of overflowing "
         "its stack")
def h_nest(path):
    n = 200_000
    zip_payload(path, b"\x80\x02" + b"]" * n + b"a" * (n - 1) + b".")


@hostile("zip_bomb.pth", "invalid", "size",
         "record data/0 is deflated 256 MiB of zeros (~250 KB on disk) while the local and central headers "
         "declare 64 bytes uncompressed (CRC of 64 zeros) and the pickle a FloatStorage of 16: a reader must stop "
         "at the declared size and reject the record because the stream does not end there")
def h_bomb(path):
    top = stem(path)
    pkl = proto2(p_dict([("weight", p_tensor_v2("0", "FloatStorage", 16, 0, (16,), (1,)))]))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\x00" * (1 << 20)
    payload = b"".join(comp.compress(chunk) for _ in range(256)) + comp.flush()
    bomb = dict(name=f"{top}/data/0", payload=payload, method=8, crc=zlib.crc32(b"\x00" * 64),
                csize=len(payload), usize=64)
    entries = [stored_entry(f"{top}/{n}", d) for n, d in standard_records(pkl)]
    entries += [bomb, stored_entry(f"{top}/version", b"3\n")]
    path.write_bytes(raw_zip(entries))


# --------------------------------------------------------------------------------------------------
# hostile corpus: parser differentials (files torch.load reads otherwise than a naive reader would)
# --------------------------------------------------------------------------------------------------

def p0_system(path):
    """A protocol-0 pickle body calling os.system(touch marker): GLOBAL, MARK, STRING, TUPLE, REDUCE."""
    return b"cos\nsystem\n(S'" + touch_cmd(path).encode() + b"'\ntR"


def benign_zip_entries(stem_name):
    """(top folder, [stored entries]) of a real torch.save state dict, for hand-made variants."""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / f"{stem_name}.pth"
        torch.save({"weight": torch.arange(4, dtype=torch.float32)}, tmp)
        records, top = read_records(tmp)
    return top, [stored_entry(f"{top}/{n}", data) for n, data in records]


def zip_parts(entries, start=0):
    """Local headers + data of `entries` placed from file offset `start`, and their central directory."""
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e["name"].encode()
        off = start + len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, e["method"], 0, 0x21,
                           e["crc"], e["csize"], e["usize"], len(name), 0) + name + e["payload"]
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, e["method"], 0, 0x21,
                               e["crc"], e["csize"], e["usize"], len(name), 0, 0, 0, 0, 0, off) + name
    return bytes(out), bytes(central)


def eocd(count, cd_size, cd_off, comment_len):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_off, comment_len)


def split_pickles(data):
    """The successive pickles of a legacy stream, then the raw bytes after the key list."""
    out, f = [], io.BytesIO(data)
    for _ in range(5):
        start = f.tell()
        for op, _, _ in pickletools.genops(f):
            if op.name == "STOP":
                break
        out.append(data[start:f.tell()])
    return out, data[f.tell():]


def legacy_parts(stem_name):
    buf = io.BytesIO()
    torch.save({"weight": torch.arange(4, dtype=torch.float32)}, buf, _use_new_zipfile_serialization=False)
    return split_pickles(normalise_legacy(buf.getvalue()))


def torch_tar(path, storages, tensors, main):
    """torch's pre-1.0 tar layout (members sys_info, storages, tensors, pickle), plain ustar headers."""
    members = [("sys_info", pickle.dumps({"protocol_version": 1001, "little_endian": True,
                                          "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)),
               ("storages", storages), ("tensors", tensors), ("pickle", main)]
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))


@hostile("zip_case_collision.pth", "dangerous", "os.system",
         "a torch zip holding both `<top>/data.pkl` (a real state dict) and `<top>/DATA.PKL` (os.system): miniz "
         "looks records up ignoring case, so which one torch.load runs is up to its sorted look-up (here the "
         "second, DATA.PKL)")
def h_case_collision(path):
    top, entries = benign_zip_entries(stem(path))
    evil = stored_entry(f"{top}/DATA.PKL", proto2(p0_system(path)))
    path.write_bytes(raw_zip(entries + [evil]))


@hostile("zip_case_collision_data.pth", "invalid", "ambiguous",
         "a torch zip whose storage record exists as `<top>/data/0` and `<top>/DATA/0` with different bytes, "
         "benign pickle: which bytes torch reads is uncertain, refused as ambiguous")
def h_case_collision_data(path):
    top, entries = benign_zip_entries(stem(path))
    other = stored_entry(f"{top}/DATA/0", struct.pack("<4f", 9, 9, 9, 9))
    path.write_bytes(raw_zip(entries + [other]))


@hostile("zip_duplicate_dangerous.pth", "dangerous", "os.system",
         "a torch zip with two `<top>/data.pkl` entries: the first a real state dict, the second os.system; "
         "torch reads one of them (either copy being dangerous makes the file dangerous)")
def h_duplicate(path):
    top, entries = benign_zip_entries(stem(path))
    evil = stored_entry(f"{top}/data.pkl", proto2(p0_system(path)))
    path.write_bytes(raw_zip(entries + [evil]))


@hostile("zip_second_eocd.pth", "dangerous", "os.system",
         "two central directories: the benign one's end record has an archive comment holding a second "
         "directory and end record (pointing at a data.pkl calling os.system) whose comment length overshoots "
         "the file; miniz takes the last end record, a comment-checking reader the first")
def h_second_eocd(path):
    top, good = benign_zip_entries(stem(path))
    evil = [stored_entry(e["name"], proto2(p0_system(path))) if e["name"].endswith("/data.pkl") else e
            for e in good]
    locals_good, cd_good = zip_parts(good)
    locals_evil, cd_evil = zip_parts(evil, start=len(locals_good))
    body = locals_good + locals_evil
    cd_good_off = len(body)
    cd_evil_off = cd_good_off + len(cd_good) + 22
    comment = cd_evil + eocd(len(evil), len(cd_evil), cd_evil_off, 16)
    path.write_bytes(body + cd_good + eocd(len(good), len(cd_good), cd_good_off, len(comment)) + comment)


@hostile("pickle_before_zip.pth", "dangerous", "os.system",
         "an os.system pickle followed by a complete torch zip: not starting with PK\\x03\\x04, torch.load "
         "unpickles it as a legacy file's magic number")
def h_pickle_before_zip(path):
    _, entries = benign_zip_entries(stem(path))
    path.write_bytes(proto2(p0_system(path)) + raw_zip(entries))


@hostile("none_first.pt", "dangerous", "os.system",
         "a protocol-0 pickle starting with NONE, POP (no PROTO, no MARK) that calls os.system")
def h_none_first(path):
    path.write_bytes(b"N0" + p0_system(path) + b".")


@hostile("gguf_lookalike.gguf", "dangerous", "os.system",
         "starts with the GGUF magic and version, which pickle reads as BINFLOAT, then POP and an os.system "
         "call: it must be audited before being called a GGUF file")
def h_gguf(path):
    path.write_bytes(b"GGUF\x03\x00\x00\x00\x00" + b"0" + p0_system(path) + b".")


@hostile("legacy_sysinfo_system.pt", "dangerous", "os.system",
         "a legacy torch.save whose sys_info pickle (unpickled and ignored by torch.load) calls os.system")
def h_legacy_sysinfo(path):
    parts, raw = legacy_parts(stem(path))
    parts[2] = proto2(p0_system(path))
    path.write_bytes(b"".join(parts) + raw)


@hostile("legacy_keylist_system.pt", "dangerous", "os.system",
         "a legacy torch.save whose storage-key list pickle holds an os.system call beside the key")
def h_legacy_keylist(path):
    parts, raw = legacy_parts(stem(path))
    keys = pickle.loads(parts[4])
    parts[4] = proto2(b"(" + b"".join(p_str(k) for k in keys) + p0_system(path) + b"l")
    path.write_bytes(b"".join(parts) + raw)


@hostile("tar_pickle_system.tar", "dangerous", "os.system",
         "torch's pre-1.0 tar format (no storages, no tensors) whose `pickle` member calls os.system")
def h_tar_pickle(path):
    torch_tar(path, pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2), pickle.dumps(0, protocol=2),
              proto2(p0_system(path)))


@hostile("tar_storages_system.tar", "dangerous", "os.system",
         "torch's pre-1.0 tar format whose `storages` member's first pickle (the storage count) is an os.system "
         "call (which returns 0), then an empty view list; `pickle` is a plain dict")
def h_tar_storages(path):
    torch_tar(path, proto2(p0_system(path)) + pickle.dumps([], protocol=2), pickle.dumps(0, protocol=2),
              pickle.dumps({"a": 1}, protocol=2))


def legacy_stream(main, keys, storages):
    """A legacy stream by hand: magic, protocol, sys_info, `main`, the key list, then each storage's
    int64 element count and bytes."""
    sys_info = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}
    out = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2) + pickle.dumps(1001, protocol=2)
    out += pickle.dumps(sys_info, protocol=2) + main + pickle.dumps(keys, protocol=2)
    for count, data in storages:
        out += struct.pack("<q", count) + data
    return out


def legacy_view_main(view_size):
    """{'w': a (4,) float tensor over a legacy storage view ('1', offset 2, view_size) of an 8-float root}."""
    pid = p_tuple([p_str("storage"), p_global("torch", "FloatStorage"), p_str("0"), p_str("cpu"), p_int(8),
                   p_tuple([p_str("1"), p_int(2), p_int(view_size)])]) + b"Q"
    args = p_tuple([pid, p_int(0), p_tuple([p_int(4)]), p_tuple([p_int(1)]), b"\x89",
                    p_global("collections", "OrderedDict") + b")R"])
    return proto2(p_dict([("w", p_global("torch._utils", "_rebuild_tensor_v2") + args + b"R")]))


@hostile("legacy_view_overflow.pt", "invalid", "view",
         "legacy stream whose tensor (4 floats) lies on a storage view of 2 floats at offset 2 of an 8-float root: "
         "inside the root, but torch refuses a tensor larger than its view (a view of 4 loads)")
def h_legacy_view(path):
    path.write_bytes(legacy_stream(legacy_view_main(2), ["0"], [(8, struct.pack("<8f", *range(8)))]))


@hostile("legacy_whole_model.pt", "imports", "__main__.net",
         "torch.save(model, f, _use_new_zipfile_serialization=False) of `__main__.Net`: every module class is a "
         "`('module', cls, source_file, source)` persistent id carrying the class's whole source; readable, imports "
         "code")
def h_legacy_whole_model(path):
    import __main__
    for cls in (Net, Block):
        cls.__module__ = "__main__"
        setattr(__main__, cls.__name__, cls)
    m = Net()
    with torch.no_grad():
        bn_stats(m, seeded(16))
    buf = io.BytesIO()  # not normalised: its storage keys are object addresses (normalise_legacy knows no module ids)
    torch.save(m, buf, _use_new_zipfile_serialization=False)
    path.write_bytes(buf.getvalue())


# --------------------------------------------------------------------------------------------------
# generation
# --------------------------------------------------------------------------------------------------

def tsv_write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            assert all("\t" not in str(c) and "\n" not in str(c) for c in r), r
            f.write("\t".join(str(c) for c in r) + "\n")


def tsv_read(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    return header, [tuple(l.split("\t")) for l in lines[1:] if l != ""]


def quant_info(t):
    if t.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        return ("per_tensor_affine", repr(float(t.q_scale())), str(int(t.q_zero_point())), "")
    scales = t.q_per_channel_scales().tolist()
    zps = t.q_per_channel_zero_points().tolist()
    return ("per_channel_affine", ",".join(repr(float(s)) for s in scales), ",".join(str(int(z)) for z in zps),
            str(int(t.q_per_channel_axis())))


def weights_only_status(path, kind):
    if kind == "jit":
        return "n/a (TorchScript: torch.jit.load)"
    try:
        torch.load(path, weights_only=True)
        return "loads"
    except Exception as e:
        msg = str(e).strip().splitlines()
        first = next((l for l in msg if "Unsupported" in l or "GLOBAL" in l or "global" in l), msg[0] if msg else "")
        first = first.split(". Please use")[0]
        return "refused: " + first.strip().replace("|", "\\|").replace("\x1b", "\\x1b")[:160]


def generate(out):
    fix, hos = out / "fixtures", out / "hostile"
    for d in (fix, hos):
        if d.exists():
            for child in d.iterdir():
                if d == hos and child.name == "regressions":
                    continue  # kept regression files (hostile/regressions/README.md), not made here
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        d.mkdir(parents=True, exist_ok=True)
    CASTS_ROWS.clear(), WIDENED_ROWS.clear(), QUANT_ROWS.clear()

    manifest, status = [], {}
    for fx in FIXTURES:
        path = fix / fx["file"]
        obj = fx["make"](path)
        manifest += manifest_rows(fx["file"], obj)
        status[fx["file"]] = weights_only_status(path, fx["load"])
        for name, t in select(obj, "all"):
            if has_data(t) and t.is_quantized:
                QUANT_ROWS.append((fx["file"], name) + quant_info(t))
    tsv_write(fix / "manifest.tsv", ["file", "select", "name", "dtype", "shape", "sha256"], manifest)
    tsv_write(fix / "casts.tsv", ["file", "name", "target", "sha256"],
              [(f, n, dname(tg), sha(policy_cast(t, tg))) for f, n, tg, t in CASTS_ROWS])
    tsv_write(fix / "widened.tsv", ["file", "name", "sha256"],
              [(f, n, sha(policy_widen(t))) for f, n, t in WIDENED_ROWS])
    tsv_write(fix / "quantized.tsv", ["file", "name", "scheme", "scales", "zero_points", "axis"], QUANT_ROWS)

    for m in Path("/tmp").glob(MARKER_PREFIX.rsplit("/", 1)[1] + "*"):
        m.unlink()
    for h in HOSTILE:
        h["make"](hos / h["file"])
        h["torch"] = torch_safe_load_outcome(hos / h["file"])
    pwned = list(Path("/tmp").glob(MARKER_PREFIX.rsplit("/", 1)[1] + "*"))
    assert not pwned, pwned
    tsv_write(hos / "expected.tsv", ["file", "expect", "keyword"], [(h["file"], h["expect"], h["keyword"]) for h in HOSTILE])

    (fix / "README.md").write_text(fixtures_readme(fix, status), encoding="utf-8")
    (hos / "README.md").write_text(hostile_readme(hos), encoding="utf-8")
    total = sum(p.stat().st_size for p in fix.iterdir())
    print(f"wrote {len(FIXTURES)} fixtures ({total} bytes, {len(manifest)} manifest rows, {len(CASTS_ROWS)} casts, "
          f"{len(WIDENED_ROWS)} widened, {len(QUANT_ROWS)} quantized) and {len(HOSTILE)} hostile files to {out}")


# --------------------------------------------------------------------------------------------------
# READMEs
# --------------------------------------------------------------------------------------------------

FIXTURES_README_HEAD = """\
# Fixtures made by real PyTorch

Generated by `testdata/generate.py` with torch {torch}, numpy {numpy}, Python {python}; do not edit by hand.
Re-run `.venv/bin/python testdata/generate.py` to rewrite them (byte-identical on the same machine) and
`.venv/bin/python testdata/generate.py --check` to load every file with torch and re-verify every TSV row.
Java tests read everything through `org.pthconvert.testdata.Fixtures`.

## TSV files (UTF-8, one header line, tab-separated, no quoting; names never contain tabs or newlines)

- `manifest.tsv`: `file  select  name  dtype  shape  sha256`: one row per expected output tensor, for both
  selections `auto` and `all`. `dtype` is torch's name without `torch.`; `shape` is comma-separated, empty
  for 0-d; `sha256` is of the tensor's C-contiguous little-endian bytes (quantized: of `int_repr()`).
- `casts.tsv`: `file  name  target  sha256` of `t.to(target)` for every tensor of casts.pth and target
  float16, bfloat16, float32 (NaN lanes: see "NaN policy").
- `widened.tsv`: `file  name  sha256` of `t.float()` for float16/bfloat16/float8 tensors of dtypes.pth,
  float8_all.pth, half_all.pth and bf16_specials.pth (NaN lanes: see "NaN policy").
- `quantized.tsv`: `file  name  scheme  scales  zero_points  axis`: scheme `per_tensor_affine` or
  `per_channel_affine`; scales are Python `repr` of doubles (Double.parseDouble gives the same value),
  comma-separated per channel; axis empty for per-tensor.

## Naming rules the manifest follows

- `all`: every tensor reachable from the root, named by the dotted path of dict keys, list/tuple indices and
  object attributes (`optimizer.state.0.exp_avg`, `optimizer_states.0.state.1.step`, `args.class_weights`).
  A key that already contains dots stays one segment.
- `auto`: a root dict whose values are all tensors as is; else the first of `state_dict`, `model_state_dict`,
  `model`, `module`, `net`, `network`, `ema`, `params` whose value holds tensors (names relative to it);
  else the same as `all`.
- Then, when every selected name starts with `module.` (or every one with `_orig_mod.`), the prefix is
  stripped (dataparallel.pth, compiled.pth: in both selections).
- Whole-model pickles and TorchScript: both selections are the module's `state_dict()`.
- Tied/shared storages: one row per name. Meta and sparse tensors get no rows (see below).

## Fixtures

| file | size | covers | made by | torch.load(weights_only=True) |
|---|---|---|---|---|
"""

FINDINGS = """
## What torch {torch} actually writes (checked against /work/shared/FORMATS.md)

- Record order of `torch.save` is as FORMATS.md says: `data.pkl`, `.format_version` (`1`),
  `.storage_alignment` (`64`), `byteorder` (`little`), `data/0..N`, `version` (`3\\n`),
  `.data/serialization_id`. Storage keys are numbered in order of first appearance in the pickle. All
  records STORED; local headers carry flag 0x0808, zero CRC/sizes and an `FB` padding extra.
  `.data/serialization_id` is derived from the contents: saving the same object to the same file name
  gives identical bytes.
- The top folder is the file's stem (`train_sgd/` for train_sgd.ckpt); a buffer gives `archive/`
  (sample.pth). rezipped_deflated.pth keeps `state_dict/` although the file has another name.
- float8 (all five), uint16/32/64 use `('storage', torch.storage.UntypedStorage, key, 'cpu', <numel in
  BYTES>)` and `_rebuild_tensor_v3(..., torch.<dtype>)` (dtype passed as a GLOBAL like `torch uint16`).
  The classic dtypes keep typed storage classes (`torch FloatStorage`, numel in elements) and
  `_rebuild_tensor_v2`. Quantized tensors use `torch QUInt8Storage`/`QInt8Storage`/`QInt32Storage` and
  `_rebuild_qtensor`; per-channel params are `(torch.per_channel_affine, <f64 tensor>, <i64 tensor>, axis)`,
  i.e. the scales and zero points are themselves `_rebuild_tensor_v2` tensors inside the quantizer params.
- Meta tensors use `_rebuild_meta_tensor_no_storage(torch.float32, size, stride, requires_grad)`: no
  storage, no record. Sparse COO uses `_rebuild_sparse_tensor(torch.serialization._get_layout('torch.sparse_coo'),
  (indices_tensor, values_tensor, torch.Size(...), True))` — note `_get_layout`, a global FORMATS.md does not list.
- Parameters use `_rebuild_parameter(data, requires_grad, OrderedDict())`; a Parameter with a Python
  attribute uses `_rebuild_parameter_with_state(..., state)`; a plain tensor with a Python attribute uses
  `torch._tensor._rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, args, {{'tag': ...}})`.
- Big-endian files: torch.load byte-swaps a storage by the dtype of its pickled class (FloatStorage,
  HalfStorage, ...; per half for complex), and UntypedStorage's is uint8: the uint16/32/64 tensors
  torch.save writes over UntypedStorage come back from a big-endian file unswapped, in the file's byte
  order. We give what torch.load gives (and warn); bigendian_untyped.pth holds such tensors, its
  manifest made from torch.load's result. bigendian.pth has only typed storages.
- Pickle details a reader meets: protocol 2 (torch's default) applies Python 2 names on write:
  `__builtin__ set`/`exec`, and `subprocess.check_call` becomes `commands check_call` (hostile
  commands_check_call.pt); protocol 4/5 files write sets as EMPTY_SET + ADDITEMS, frozensets with
  FROZENSET, bytes as SHORT_BINBYTES, complex as `builtins complex` REDUCE; protocol 5 writes bytearray
  as BYTEARRAY8 (proto4.pth and proto5.pth otherwise have the same opcodes).
- MultiStepLR's state_dict holds `milestones` as a `collections.Counter` (a global to allow).
  Adam's `step` is a 0-d float32 tensor; SGD has `momentum_buffer` only.
- Legacy format: exactly as FORMATS.md section 3. `view_metadata` is always None in torch 2.x (views are
  expressed by `_rebuild_tensor_v2` offsets, as in the zip format). The storage key list is sorted as
  strings. Each record's int64 count uses the same unit as the persistent id's numel: elements for typed
  storages, BYTES for UntypedStorage. torch 2.13 writes float8/uint16/32/64 tensors into legacy files
  (UntypedStorage + `_rebuild_tensor_v3`) but cannot load them back (`_legacy_load` asks
  `UntypedStorage.dtype`: AttributeError, with and without weights_only), so legacy.pth has none.
  Keys are object addresses (different every run): generate.py rewrites them to fixed 15-digit strings.
- TorchScript: first entry `data/0`, then `data.pkl`, `code/__torch__*.py` and `.debug_pkl` (DEFLATED),
  `constants.pkl`, `version`, `byteorder`, `.data/serialization_id`; no `.format_version` or
  `.storage_alignment`. Size/stride are built with MARK..TUPLE. Its `state_dict()` includes the
  non-persistent buffer `offset`: TorchScript does not keep the persistent flag (`__buffers__` lists it),
  so the manifest, following torch, lists `offset`.
- `torch.save(model)` pickles `__main__.Net`/`__main__.Block` (GLOBAL + NEWOBJ + BUILD); the
  non-persistent buffer `cache` is in `_buffers` and named in `_non_persistent_buffers_set` (a `__builtin__ set`).
- weights_only=True (torch's safe loader) refuses protocol 4/5 files ("Unsupported operand 149"), whole
  models and numpy scalars (numpy_hparams.ckpt, which also holds an argparse.Namespace); it loads the meta,
  sparse, quantized, subclass, legacy, big-endian and deflated files (see the table).
- The zip reader of torch.load reads DEFLATED and unaligned records (rezipped_deflated.pth), and
  it reads a record up to its declared size only (hostile zip_bomb.pth loads).
- float conversions (all checked by `--check`):
  - float64 -> float16 and float64 -> bfloat16 round through float32 (double rounding):
    `1 + 2^-11 + 2^-40` gives float16 1.0 (a direct rounding gives `1 + 2^-10`); `1 + 2^-8 + 2^-40` gives
    bfloat16 1.0. Same on the vector and the scalar path.
  - float32 -> float16: 65519 -> 65504, 65520 -> inf; round-to-nearest-even on ties, subnormals included.
  - float -> float8: e4m3fn saturates (inf and 1e30 give 448, `0x7e`), NaN gives `0x7f`; e4m3fnuz and
    e5m2fnuz give their NaN `0x80` for inf, NaN and any overflow; e5m2 has real infinities; e8m0fnu maps
    inf and NaN to `0xff`.
  - float8 -> float32 (same on every path): e4m3fn `0x7f`/`0xff` -> `0x7ff00000`/`0xfff00000`; e5m2 NaNs
    -> quiet float32 NaNs with payload (`0x7d`,`0x7f` -> `0x7fe00000`, `0x7e` -> `0x7fc00000`);
    e4m3fnuz/e5m2fnuz `0x80` and e8m0fnu `0xff` -> `0x7f800001` (a signalling NaN pattern).

## NaN policy of casts.tsv and widened.tsv

torch's NaN bit patterns depend on the code path: float32 -> bfloat16 gives `0xffff` for every NaN on this
CPU (AVX2/AVX-512 kernels; c10's scalar `round_to_nearest_even` gives `0x7fc0`); float16 -> float32 gives the
quieted payload (`0x7c01` -> `0x7fc02000`) in the 8-wide vector loop but `0x7fffffff` for every NaN in the
scalar tail (tensors under 8 elements, and the last `numel % 8` elements of longer ones). The TSVs therefore hash torch's result with NaN lanes replaced by one policy (the same as
converter-core's FloatCasts):
- float32 -> float16: `sign | 0x7e00 | (mantissa >> 13)` (what torch gives on every path);
- float64 -> float32: sign, quiet bit, top 23 payload bits; float64 -> float16: through that float32;
- anything -> bfloat16: `0x7fc0`;
- same dtype (float32 -> float32): unchanged bytes;
- float16 -> float32: sign, quiet bit, payload << 13; bfloat16 -> float32: plain shift (signalling stays
  signalling, as torch does everywhere); float8: exactly torch.
NaN-free tensors (all but `f32_nan`, `f64_nan`, and the `specials`/float8/half_all rows of widened.tsv) are
plain torch results.

## Tensors a careful reader must refuse or skip by name

{refuse}
"""


def fixtures_readme(fix, status):
    out = FIXTURES_README_HEAD.format(torch=torch.__version__, numpy=np.__version__, python=sys.version.split()[0])
    for fx in FIXTURES:
        size = (fix / fx["file"]).stat().st_size
        out += f"| `{fx['file']}` | {size} | {fx['desc']} | `{fx['call']}` | {status[fx['file']]} |\n"
    sparse_sha = sha(torch.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [-1.5, 0.0, 4.0]]))
    refuse = "\n".join(f"- `{k}`: {v.format(sparse_dense=sparse_sha)}" for k, v in REFUSE_NOTES.items())
    return out + FINDINGS.format(torch=torch.__version__, refuse=refuse)


HOSTILE_README_HEAD = """\
# Hostile corpus

Generated by `testdata/generate.py`. Every file is small. No payload does anything but create the marker
file `{prefix}<stem>` (stem = file name up to the first dot), so a test can assert that nothing ran:
commands are `touch <marker>`, code strings are `open('<marker>', 'w').close()`.

`expected.tsv` (`file  expect  keyword`) is the contract for the tool:
- `dangerous`: must be refused as code-running; the error line names the dangerous global(s) as
  `module.name` (protocol-2 `__builtin__` may be reported as `builtins`, hence keyword `exec` for
  builtins_exec.pt). Every dangerous global found should be named (functools_partial.pth also calls os.system).
- `imports`: readable (weights can be converted) but the scan reports that the file imports code.
- `invalid`: refused as broken; the error line contains the keyword (compare lower-cased).

Each mechanism has a benign twin in `../fixtures` that converts cleanly and scans `safe`: `plain_*.pth`
(every plain value protocol 2 writes with a global: bytes, bytearray, range, set, frozenset, complex,
slice, object), `state_dict.pth` (BUILD of an OrderedDict with `_metadata`), `subclass_param.pth`
(`_rebuild_parameter_with_state` / `_rebuild_from_type_v2` with plain state), `lightning.ckpt` (a
Lightning checkpoint without callback classes), `proto4.pth` (STACK_GLOBAL names). The interop stage's
oracle (`cli/src/test/python/oracle.py`) checks `scan` against what torch.load's own loader would import
and call, for every file here and a seeded family of mutants.

`--check` verifies that every dangerous/imports keyword really is among the file's pickle globals and
runs `torch.load(weights_only=True)` on each file in a child process (results below, no marker appeared).

| file | expect | keyword | what | torch.load(weights_only=True) |
|---|---|---|---|---|
"""


def hostile_readme(hos):
    out = HOSTILE_README_HEAD.format(prefix=MARKER_PREFIX)
    for h in HOSTILE:
        out += (f"| `{h['file']}` | {h['expect']} | `{h['keyword']}` | {h['desc']} | "
                f"{h['torch']} |\n")
    return out




# --------------------------------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------------------------------

def load_fixture(path, kind):
    if kind == "jit":
        return torch.jit.load(str(path))
    try:
        return torch.load(path, weights_only=True)
    except Exception:
        if kind != "torch-unsafe":
            raise
        return torch.load(path, weights_only=False)


def pickle_globals(data):
    """module.name of every GLOBAL/INST/STACK_GLOBAL in a pickle stream (stops at the first bad opcode)."""
    found, strings = [], []
    try:
        for op, arg, _ in pickletools.genops(io.BytesIO(data)):
            if op.name in ("GLOBAL", "INST"):
                found.append(arg.replace(" ", "."))
            elif op.name == "STACK_GLOBAL":
                found.append(f"{strings[-2]}.{strings[-1]}")
            elif isinstance(arg, str):
                strings.append(arg)
            if op.name == "STOP":
                break
    except Exception:
        pass
    return [g.replace("__builtin__.", "builtins.") for g in found]


def file_pickles(path):
    """The pickles of a file: every *.pkl record of a zip, or the successive pickles of a raw file."""
    data = Path(path).read_bytes()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(path) as z:
            return [z.read(n) for n in z.namelist() if n.endswith(".pkl")]
    out, f = [], io.BytesIO(data)
    while f.tell() < len(data):
        start = f.tell()
        try:
            for op, _, _ in pickletools.genops(f):
                if op.name == "STOP":
                    break
        except Exception:
            out.append(data[start:])
            break
        out.append(data[start:f.tell()])
    return out


TORCH_LOAD_CHILD = """
import sys, torch, warnings
warnings.filterwarnings('ignore')
try:
    torch.load(sys.argv[1], weights_only=True)
    print('loads')
except BaseException as e:
    lines = [l for l in str(e).splitlines() if l.strip()]
    pick = next((l for l in lines if 'Unsupported' in l or 'GLOBAL' in l or 'global' in l), lines[0] if lines else '')
    pick = pick.split('. Please use')[0].split('. This is an internal miniz')[0]
    print(type(e).__name__ + ': ' + pick.strip()[:150])
"""


def torch_safe_load_outcome(path):
    """torch.load(path, weights_only=True) in a child process: 'loads' or the error's gist."""
    try:
        res = subprocess.run([sys.executable, "-c", TORCH_LOAD_CHILD, str(path)], capture_output=True,
                             text=True, timeout=300)
        outcome = (res.stdout.strip().splitlines() or [f"exit {res.returncode}"])[-1]
    except subprocess.TimeoutExpired:
        outcome = "timeout"
    return outcome.replace("|", "\\|")


def check(out):
    fix, hos = out / "fixtures", out / "hostile"
    failures = []

    def fail(msg):
        failures.append(msg)
        print("FAIL", msg)

    # manifest
    _, rows = tsv_read(fix / "manifest.tsv")
    by_file = collections.OrderedDict()
    for r in rows:
        by_file.setdefault(r[0], []).append(r)
    files = {fx["file"]: fx for fx in FIXTURES}
    loaded = {}
    for file, expected in by_file.items():
        if file not in files:
            fail(f"manifest lists unknown file {file}")
            continue
        obj = load_fixture(fix / file, files[file]["load"])
        loaded[file] = obj
        got = manifest_rows(file, obj)
        if got != expected:
            fail(f"{file}: manifest rows differ\n  expected {expected}\n  got      {got}")
    for fx in FIXTURES:
        if fx["file"] not in by_file:
            fail(f"{fx['file']} has no manifest rows")
    print(f"manifest: {len(rows)} rows over {len(by_file)} files checked")

    # casts
    _, crows = tsv_read(fix / "casts.tsv")
    casts = load_fixture(fix / "casts.pth", "torch")
    for file, name, target, digest in crows:
        src = casts[name]
        tg = getattr(torch, target)
        if sha(policy_cast(src, tg)) != digest:
            fail(f"casts {name}->{target}: sha differs")
        whole = src.to(tg)
        scalar = torch.stack([src.reshape(-1)[i:i + 1].to(tg)[0] for i in range(src.numel())]).reshape(src.shape)
        vector = src.reshape(-1).repeat(17).to(tg)[:src.numel()].reshape(src.shape)
        nan = torch.isnan(src)
        for label, res in (("whole", whole), ("scalar", scalar), ("vector", vector)):
            if not torch.isnan(res[nan]).all():
                fail(f"casts {name}->{target} ({label}): a NaN lost its NaN-ness")
            if tensor_bytes(res[~nan]) != tensor_bytes(policy_cast(src, tg)[~nan]):
                fail(f"casts {name}->{target} ({label} path): non-NaN lanes differ")
        if src.dtype == torch.float64 and tg in (torch.float16, torch.bfloat16):
            if tensor_bytes(whole[~nan]) != tensor_bytes(src.to(torch.float32).to(tg)[~nan]):
                fail(f"casts {name}->{target}: float64 is not rounded through float32")
    dr = casts["f64_double_rounding"]
    if not (dr[0].to(torch.float16).item() == 1.0 and dr[2].to(torch.bfloat16).item() == 1.0):
        fail("double rounding finding no longer holds")
    print(f"casts: {len(crows)} rows checked (whole, scalar and vector paths)")

    # widened
    _, wrows = tsv_read(fix / "widened.tsv")
    for file, name, digest in wrows:
        obj = loaded.get(file) or load_fixture(fix / file, "torch")
        t = obj[name]
        if sha(policy_widen(t)) != digest:
            fail(f"widened {file}:{name}: sha differs")
        nan = torch.isnan(t.float())
        for label, res in (("scalar", torch.stack([t.reshape(-1)[i:i + 1].float()[0] for i in range(t.numel())])),
                           ("vector", t.reshape(-1).repeat(17).float()[:t.numel()])):
            res = res.reshape(t.shape)
            if tensor_bytes(res[~nan]) != tensor_bytes(policy_widen(t)[~nan]):
                fail(f"widened {file}:{name} ({label}): non-NaN lanes differ")
            if t.dtype in FLOAT8 and tensor_bytes(res) != tensor_bytes(t.float()):
                fail(f"widened {file}:{name}: float8 widening depends on the path")
    print(f"widened: {len(wrows)} rows checked")

    # quantized
    _, qrows = tsv_read(fix / "quantized.tsv")
    got = []
    for file in by_file:
        for name, t in select(loaded[file], "all"):
            if has_data(t) and t.is_quantized:
                got.append((file, name) + quant_info(t))
    if got != qrows:
        fail(f"quantized.tsv differs: {got} vs {qrows}")
    print(f"quantized: {len(qrows)} rows checked")

    # stray files
    listed = set(by_file) | {"manifest.tsv", "casts.tsv", "widened.tsv", "quantized.tsv", "README.md"}
    for p in fix.iterdir():
        if p.name not in listed:
            fail(f"fixtures/{p.name} is not listed anywhere")
    total = sum(p.stat().st_size for p in fix.iterdir())
    big = [(p.name, p.stat().st_size) for p in fix.iterdir() if p.stat().st_size > 50_000]
    print(f"fixtures total {total} bytes; over 50 KB: {big}")
    if total > 5_000_000:
        fail("fixtures exceed 5 MB")

    # hostile
    _, hrows = tsv_read(hos / "expected.tsv")
    readme = (hos / "README.md").read_text(encoding="utf-8")
    for file, expect, keyword in hrows:
        path = hos / file
        if not path.exists():
            fail(f"hostile/{file} missing")
            continue
        if expect in ("dangerous", "imports"):
            globs = [g.lower() for p in file_pickles(path) for g in pickle_globals(p)]
            if not any(keyword in g for g in globs):
                fail(f"hostile/{file}: keyword {keyword} not among globals {globs}")
        outcome = torch_safe_load_outcome(path)
        print(f"  hostile/{file}: torch.load(weights_only=True) -> {outcome}")
        if f"`{file}` | {expect} | `{keyword}` |" not in readme or f"| {outcome} |" not in readme:
            fail(f"hostile/README.md does not match hostile/{file} (torch now: {outcome})")
    pwned = list(Path("/tmp").glob("pthconvert-pwned-*"))
    if pwned:
        fail(f"markers appeared: {pwned}")
    print(f"hostile: {len(hrows)} files checked, no marker file")

    print("CHECK FAILED" if failures else "CHECK OK")
    return not failures


# --------------------------------------------------------------------------------------------------
# onnx/: an exported graph for `convert --to onnx --into`
# --------------------------------------------------------------------------------------------------

class IntoMLP(nn.Module):
    """Exported with torch.onnx.export (TorchScript exporter, opset 17): Gemm, LayerNormalization, Relu."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.norm = nn.LayerNorm(8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.norm(self.fc1(x))))


ONNX_README = """\
# ONNX graphs for `--into` (made by testdata/generate.py, `--only onnx`)

| file | what |
| --- | --- |
| `mlp.onnx` | `torch.onnx.export(IntoMLP(), zeros(2, 4), dynamo=False, opset_version=17)` with seed-20 weights, inline; initializers are named as in the state dict |
| `mlp_external.onnx` + `mlp_external.onnx.data` | the same model saved by `onnx.save(..., save_as_external_data=True, size_threshold=0)` |
| `mlp_new.pth` | `IntoMLP().state_dict()` with seed-21 weights: what `--into` writes into the graphs |

`cli/src/test/python/interop.py` runs the `--into` results in onnxruntime on `arange(8).reshape(2, 4) / 8` and
compares them with the PyTorch module holding the new weights.
"""


def generate_onnx(out):
    import onnx
    d = out / "onnx"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    seeded(20)
    model = IntoMLP().eval()
    buf = io.BytesIO()
    torch.onnx.export(model, (torch.zeros(2, 4),), buf, dynamo=False, input_names=["x"], output_names=["y"],
                      opset_version=17)
    (d / "mlp.onnx").write_bytes(buf.getvalue())
    proto = onnx.load_from_string(buf.getvalue())
    onnx.save(proto, str(d / "mlp_external.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
              location="mlp_external.onnx.data", size_threshold=0)
    seeded(21)
    torch.save(IntoMLP().state_dict(), d / "mlp_new.pth")
    (d / "README.md").write_text(ONNX_README, encoding="utf-8")
    print(f"wrote {sorted(p.name for p in d.iterdir())} to {d}")


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":
        # TorchScript writes module constants in set order: fix string hashing so runs are byte-identical.
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="verify instead of writing")
    ap.add_argument("--out", type=Path, default=HERE, help="folder that holds fixtures/ and hostile/")
    ap.add_argument("--only", choices=["onnx"], help="write only this part (onnx/: the --into graphs)")
    ap.add_argument("--inputs", nargs="*", metavar="NAME",
                    help="write only testdata/inputs/ (folders, safetensors; gen_inputs.py), or the NAMEs given")
    args = ap.parse_args()
    if args.inputs is not None:
        from gen_inputs import generate_inputs
        generate_inputs(only=set(args.inputs) or None)
        return
    if args.check:
        sys.exit(0 if check(args.out) else 1)
    if args.only != "onnx":
        generate(args.out)
    generate_onnx(args.out)


if __name__ == "__main__":
    main()
