"""Makes the reference files the Java writer tests compare bytes with.

Run from the repository root with the project venv (torch 2.13, safetensors 0.8.0):
    .venv/bin/python writers/src/test/python/make_fixtures.py
Outputs go to writers/src/test/resources/fixtures/. The Java side builds the same tensors from the
same byte pattern (WriterFixtures.pattern): byte k of a tensor is (k * 31 + seed) & 0xFF, bools k % 2.
"""
import json
import os
import sys

import numpy as np
import torch
from numpy.lib import _format_impl as npformat  # _write_array_header: the exact header writer
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures")

# (name, dtype, shape, seed): the Java test (SafetensorsWriterTest.MIXED) lists the same tensors.
MIXED = [
    ("b.weight", torch.float32, (2, 3), 1),
    ("a.weight", torch.float32, (2, 3), 2),
    ("emb", torch.bfloat16, (4,), 3),
    ("half", torch.float16, (3, 1), 4),
    ("scalar", torch.float64, (), 5),
    ("empty", torch.float32, (0, 3), 6),
    ("steps", torch.int64, (2,), 7),
    ("flags", torch.bool, (5,), 8),
    ("bytes", torch.uint8, (3,), 9),
    ("i8", torch.int8, (2,), 10),
    ("i16", torch.int16, (2,), 11),
    ("i32", torch.int32, (2,), 12),
    ("u16", torch.uint16, (2,), 13),
    ("u32", torch.uint32, (2,), 14),
    ("u64", torch.uint64, (1,), 15),
    ("c", torch.complex64, (1,), 16),
    ("f8", torch.float8_e4m3fn, (4,), 17),
    ("f8b", torch.float8_e5m2, (2,), 18),
    ("f8c", torch.float8_e4m3fnuz, (2,), 19),
    ("f8d", torch.float8_e5m2fnuz, (2,), 20),
    ("f8e", torch.float8_e8m0fnu, (3,), 21),
    ("\u00e9t\u00e9", torch.float32, (1,), 22),
    ("\uffff", torch.float32, (1,), 23),
    ("\U0001F600", torch.float32, (1,), 24),
    ("ctl\n\t\"\\/\x01\x7f", torch.float32, (1,), 25),
    ("", torch.float32, (1,), 26),
]


def pattern(dtype, shape, seed):
    numel = 1
    for d in shape:
        numel *= d
    size = numel * torch.empty((), dtype=dtype).element_size()
    if dtype == torch.bool:
        data = bytearray(k % 2 for k in range(size))
    else:
        data = bytearray((k * 31 + seed) & 0xFF for k in range(size))
    if size == 0:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(data, dtype=dtype).reshape(shape).clone()


# The npz test tensors: (name, dtype, shape, seed); float8 ones hold all 256 codes (seed ignored).
NPZ = [
    ("layers.0.weight", torch.float32, (2, 3), 1),
    ("emb", torch.bfloat16, (4, 2), 3),
    ("f8", torch.float8_e4m3fn, (256,), 0),
    ("f8b", torch.float8_e5m2, (16, 16), 0),
    ("f8c", torch.float8_e4m3fnuz, (256,), 0),
    ("f8d", torch.float8_e5m2fnuz, (256,), 0),
    ("f8e", torch.float8_e8m0fnu, (256,), 0),
    ("c32", torch.complex32, (2,), 5),
    ("scalar", torch.float64, (), 6),
    ("empty", torch.float32, (0, 3), 7),
    ("flags", torch.bool, (5,), 8),
    ("c128", torch.complex128, (2,), 9),
    ("dir/sub/x", torch.float16, (3,), 10),
    ("\u00fcn\u00ef \U0001F600", torch.int64, (2,), 11),
    ("u16", torch.uint16, (2, 1, 2), 12),
]


def npz_tensor(dt, shape, seed):
    if dt.itemsize == 1 and dt.is_floating_point:
        return torch.arange(256, dtype=torch.uint8).view(dt).reshape(shape).clone()
    return pattern(dt, shape, seed)


def as_numpy(t, raw_bits):
    """What NpzWriter stores: NumPy-native as is; bf16/float8 widened by torch or raw; c32 -> c64."""
    if t.dtype == torch.complex32:
        return t.to(torch.complex64).numpy()
    if t.dtype == torch.bfloat16 or (t.dtype.itemsize == 1 and t.dtype.is_floating_point):
        if raw_bits:
            return t.view(torch.uint16 if t.dtype.itemsize == 2 else torch.uint8).numpy()
        return t.float().numpy()
    return t.numpy()


def npy_headers():
    """Header bytes NumPy writes for assorted descr/shape pairs, one per line: descr, shape, hex."""
    cases = [("<f4", ()), ("<f4", (0,)), ("<f4", (3,)), ("<f4", (3, 4)), ("|b1", (2, 3, 4)),
             ("<c16", (9223372036854775807,)), ("<u2", (1,) * 64), ("|u1", (123456789012, 1))]
    lines = []
    for descr, shape in cases:
        d = {"descr": descr, "fortran_order": False, "shape": shape}
        import io, warnings
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            npformat._write_array_header(buf, d)
        lines.append("%s\t%s\t%s" % (descr, ",".join(map(str, shape)), buf.getvalue().hex()))
    return "\n".join(lines) + "\n"


def main():
    os.makedirs(OUT, exist_ok=True)
    tensors = {name: pattern(dt, shape, seed) for name, dt, shape, seed in MIXED}
    save_file(tensors, os.path.join(OUT, "mixed.safetensors"), metadata={"format": "pt"})
    # No metadata at all, one tensor: the smallest header.
    save_file({"x": pattern(torch.float32, (2,), 1)}, os.path.join(OUT, "no-metadata.safetensors"))
    arrays = {n: npz_tensor(dt, sh, seed) for n, dt, sh, seed in NPZ}
    np.savez(os.path.join(OUT, "numpy.npz"), **{n: as_numpy(t, False) for n, t in arrays.items()})
    np.savez(os.path.join(OUT, "numpy-raw-bits.npz"), **{n: as_numpy(t, True) for n, t in arrays.items()
                                                         if t.dtype != torch.complex32})
    with open(os.path.join(OUT, "npy-headers.tsv"), "w") as f:
        f.write(npy_headers())
    print("wrote", sorted(os.listdir(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
