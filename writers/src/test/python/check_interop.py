"""Reads what the Java writers wrote with the reference libraries and checks it.

    mvn -q -B -pl converter-core,writers test -Dtest=InteropSamplesTest -Dpthconvert.interop.dir=/tmp/interop
    .venv/bin/python writers/src/test/python/check_interop.py /tmp/interop

Checks: safetensors.torch.load_file reads every tensor with the right bytes, and re-saving them with
save_file gives the same file; np.load gives back every name exactly, widened values equal torch's
.float(), raw bits equal the original bytes; the sharded index agrees with the shards.
"""
import json
import os
import sys
import zipfile

import numpy as np
import torch
from safetensors.torch import load_file, save_file

# InteropSamplesTest.samples(): name -> (torch dtype, shape); bytes come from raw-<hash>.bin.
SAMPLES = {
    "layers.0.weight": (torch.float32, (3, 4)),
    "emb/tok\u00e9n \U0001F600": (torch.bfloat16, (2, 8)),
    "f8": (torch.float8_e4m3fn, (256,)),
    "f8b": (torch.float8_e5m2, (256,)),
    "f8c": (torch.float8_e4m3fnuz, (256,)),
    "f8d": (torch.float8_e5m2fnuz, (256,)),
    "f8e": (torch.float8_e8m0fnu, (256,)),
    "half": (torch.float16, (5,)),
    "scalar": (torch.float64, ()),
    "empty": (torch.int32, (0, 2)),
    "flags": (torch.bool, (3,)),
    "w.npy": (torch.int16, (2,)),
    "\uffff": (torch.uint8, (2,)),
}


def java_hash(s):
    h = 0
    for unit in s.encode("utf-16-be").hex(" ", 2).split():
        h = (31 * h + int(unit, 16)) & 0xFFFFFFFF
    return "%x" % h


def original(d, name):
    dt, shape = SAMPLES[name]
    raw = open(os.path.join(d, "raw-%s.bin" % java_hash(name)), "rb").read()
    if not raw:
        return torch.empty(shape, dtype=dt)
    return torch.frombuffer(bytearray(raw), dtype=dt).reshape(shape).clone()


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.view(-1).view(torch.uint8).equal(b.view(-1).view(torch.uint8)) \
        if a.numel() else a.dtype == b.dtype and a.shape == b.shape


def check_safetensors(d):
    path = os.path.join(d, "samples.safetensors")
    loaded = load_file(path)
    assert set(loaded) == set(SAMPLES), set(loaded) ^ set(SAMPLES)
    for name in SAMPLES:
        assert same_bits(loaded[name], original(d, name)), name
    again = os.path.join(d, "resaved.safetensors")
    save_file({n: original(d, n) for n in SAMPLES}, again, metadata={"format": "pt"})
    assert open(again, "rb").read() == open(path, "rb").read(), "not byte-identical to save_file"
    print("safetensors: ok, byte-identical to save_file")


def check_sharded(d):
    sd = os.path.join(d, "sharded")
    index = json.load(open(os.path.join(sd, "model.safetensors.index.json")))
    total = 0
    for name, file in index["weight_map"].items():
        t = load_file(os.path.join(sd, file))[name]
        assert same_bits(t, original(d, name)), name
        total += t.numel() * t.element_size()
    assert total == index["metadata"]["total_size"]
    assert set(index["weight_map"]) == set(SAMPLES)
    print("sharded: ok,", len(set(index["weight_map"].values())), "shards")


def check_npz(d, file, raw_bits):
    z = np.load(os.path.join(d, file))
    assert list(z.files) == list(SAMPLES), (z.files, list(SAMPLES))
    for name in SAMPLES:
        t = original(d, name)
        got = z[name]
        if t.dtype == torch.bfloat16 or (t.dtype.itemsize == 1 and t.dtype.is_floating_point):
            want = t.view(torch.uint16 if t.dtype.itemsize == 2 else torch.uint8).numpy() if raw_bits else t.float().numpy()
        else:
            want = t.numpy()
        assert got.dtype == want.dtype and got.shape == want.shape, (name, got.dtype, want.dtype)
        assert got.tobytes() == want.tobytes(), name
    with zipfile.ZipFile(os.path.join(d, file)) as zf:
        for info in zf.infolist():
            assert info.flag_bits & 0x800, info.filename
            assert zf.testzip() is None
    print(file + ": ok")


def main(d):
    check_safetensors(d)
    check_sharded(d)
    check_npz(d, "samples.npz", False)
    check_npz(d, "samples-compressed.npz", False)
    check_npz(d, "samples-raw.npz", True)


if __name__ == "__main__":
    main(sys.argv[1])
