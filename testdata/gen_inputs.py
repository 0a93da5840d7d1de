#!/usr/bin/env python3
"""Writes the input fixtures that are not single torch.save files: testdata/inputs/.

    PTHCONVERT_VENV=/work/venv /work/venv/bin/python testdata/generate.py --inputs

- plain.safetensors              safetensors.torch.save_file of several dtypes, 0-d and empty tensors
- hf_bin/                        a Hugging Face style folder: 2 torch.save shards + pytorch_model.bin.index.json
                                 (a tied weight shares one storage inside its shard)
- hf_safetensors/                2 safetensors shards + model.safetensors.index.json
- dcp_adam/                      torch.distributed.checkpoint saved by 2 gloo ranks: FSDP2 model + Adam state
- dcp_tp/                        2 ranks, a tensor-parallel Shard(1) DTensor and a Shard(0) one
- dcp_uneven/                    2 ranks, FSDP2 over 7-row and 5-row weights, Shard(1) of 5 columns
- dcp_bytes/                     2 ranks, model + non-tensor items (int, float, str, dict, list)
- hf_single_safetensors/         config.json + one unindexed model.safetensors (what many HF repos ship)
- hf_single_bin/                 config.json + one unindexed torch.save pytorch_model.bin (tied weights)
- hf_single_both/                both files (the .bin zeroed): read from model.safetensors, as transformers does
- dcp_strided/                   2 ranks, chunks torch.save writes as non-contiguous views (transposed,
                                 permuted, an overlapping view with a storage offset)

inputs.tsv has the columns of fixtures/manifest.tsv; the rows are what torch sees: the folder loaded
whole (dcp_to_torch_save + torch.load; every shard loaded and merged), then the manifest's naming rules.
"""

import json
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate as G  # noqa: E402  (manifest rules, TSV writer)

OUT = HERE / "inputs"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------- safetensors

def make_plain_safetensors(path):
    from safetensors.torch import save_file
    g = torch.Generator().manual_seed(160)
    sd = {
        "w.f32": torch.randn(3, 5, generator=g),
        "w.bf16": torch.randn(4, 2, generator=g).to(torch.bfloat16),
        "w.f16": torch.randn(7, generator=g).to(torch.float16),
        "w.f64": torch.randn(2, 2, generator=g, dtype=torch.float64),
        "idx.i64": torch.arange(6, dtype=torch.int64).reshape(2, 3),
        "idx.i32": torch.arange(5, dtype=torch.int32) - 2,
        "mask": torch.tensor([True, False, True]),
        "u8": torch.arange(9, dtype=torch.uint8),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 4),
        "f8": torch.randn(6, generator=g).to(torch.float8_e4m3fn),
    }
    save_file(sd, str(path), metadata={"format": "pt"})
    from safetensors.torch import load_file
    return load_file(str(path))


# ---------------------------------------------------------------------------------------------- HF folders

def hf_model_sd():
    g = torch.Generator().manual_seed(161)
    emb = torch.randn(10, 4, generator=g)
    sd = {
        "model.embed_tokens.weight": emb,
        "model.layers.0.q_proj.weight": torch.randn(4, 4, generator=g),
        "model.layers.0.q_proj.bias": torch.randn(4, generator=g),
        "model.layers.1.q_proj.weight": torch.randn(4, 4, generator=g).to(torch.bfloat16),
        "model.norm.weight": torch.ones(4),
        "lm_head.weight": emb,  # tied: one storage inside shard 1
    }
    return sd


HF_SPLIT = [["model.embed_tokens.weight", "model.layers.0.q_proj.weight", "model.layers.0.q_proj.bias",
             "lm_head.weight"],
            ["model.layers.1.q_proj.weight", "model.norm.weight"]]


def index_json(path, sd, files):
    weight_map = {}
    total = 0
    for names, f in zip(HF_SPLIT, files):
        for n in names:
            weight_map[n] = f
            total += sd[n].numel() * sd[n].element_size()
    path.write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n")


def make_hf_bin(folder):
    folder.mkdir()
    sd = hf_model_sd()
    files = [f"pytorch_model-0000{i + 1}-of-00002.bin" for i in range(2)]
    for names, f in zip(HF_SPLIT, files):
        torch.save({n: sd[n] for n in names}, folder / f)
    index_json(folder / "pytorch_model.bin.index.json", sd, files)
    merged = {}
    for f in files:
        merged.update(torch.load(folder / f, weights_only=True))
    return merged


def make_hf_safetensors(folder):
    from safetensors.torch import save_file, load_file
    folder.mkdir()
    sd = hf_model_sd()
    sd["lm_head.weight"] = sd["lm_head.weight"].clone()  # safetensors refuses shared memory
    files = [f"model-0000{i + 1}-of-00002.safetensors" for i in range(2)]
    for names, f in zip(HF_SPLIT, files):
        save_file({n: sd[n].contiguous() for n in names}, str(folder / f), metadata={"format": "pt"})
    index_json(folder / "model.safetensors.index.json", sd, files)
    merged = {}
    for f in files:
        merged.update(load_file(str(folder / f)))
    return merged


def _single_folder(folder, safetensors, bin_):
    """A folder as many Hugging Face repositories ship it: config.json and one unindexed weights file."""
    from safetensors.torch import save_file, load_file
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "tiny", "hidden_size": 4}, indent=2) + "\n")
    sd = hf_model_sd()
    got = None
    if bin_:
        # in the folder with both, the .bin differs so that which file was read shows
        torch.save(sd if not safetensors else {k: v * 0 for k, v in sd.items()}, folder / "pytorch_model.bin")
        got = torch.load(folder / "pytorch_model.bin", weights_only=True)
    if safetensors:
        st = dict(sd)
        st["lm_head.weight"] = st["lm_head.weight"].clone()  # safetensors refuses shared memory
        save_file(st, str(folder / "model.safetensors"), metadata={"format": "pt"})
        got = load_file(str(folder / "model.safetensors"))  # what transformers reads when both are there
    return got


def make_hf_single_safetensors(folder):
    return _single_folder(folder, True, False)


def make_hf_single_bin(folder):
    return _single_folder(folder, False, True)


def make_hf_single_both(folder):
    return _single_folder(folder, True, True)


# ---------------------------------------------------------------------------------------------- DCP

class Mlp(nn.Module):
    def __init__(self, rows=(8, 6)):
        super().__init__()
        self.fc1 = nn.Linear(4, rows[0])
        self.fc2 = nn.Linear(rows[0], rows[1])

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def dcp_worker(rank, world, port, kind, folder):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    import torch.distributed as dist
    import torch.distributed.checkpoint as dcp
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import DTensor, Shard, distribute_tensor
    from torch.distributed.checkpoint.state_dict import get_state_dict
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    mesh = init_device_mesh("cpu", (world,))
    torch.manual_seed(162)
    if kind == "adam":
        model = Mlp()
        fully_shard(model.fc1, mesh=mesh)
        fully_shard(model, mesh=mesh)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        torch.manual_seed(163)
        for _ in range(2):
            model(torch.randn(3, 4)).sum().backward()
            opt.step()
            opt.zero_grad()
        msd, osd = get_state_dict(model, opt)
        state = {"model": msd, "optim": osd}
    elif kind == "tp":
        g = torch.Generator().manual_seed(164)
        a = torch.randn(4, 6, generator=g)
        b = torch.randn(6, 3, generator=g).to(torch.bfloat16)
        c = torch.arange(24, dtype=torch.int64).reshape(2, 3, 4)
        state = {"model": {"attn.o_proj.weight": distribute_tensor(a, mesh, [Shard(1)]),
                           "mlp.up.weight": distribute_tensor(b, mesh, [Shard(0)]),
                           "mlp.table": distribute_tensor(c, mesh, [Shard(2)])}}
    elif kind == "uneven":
        model = Mlp(rows=(7, 5))
        fully_shard(model, mesh=mesh)
        msd = dict(get_state_dict(model, [])[0])
        g = torch.Generator().manual_seed(165)
        msd["extra.cols"] = distribute_tensor(torch.randn(3, 5, generator=g), mesh, [Shard(1)])
        msd["extra.one_row"] = distribute_tensor(torch.randn(1, 3, generator=g), mesh, [Shard(0)])
        state = {"model": msd}
    elif kind == "bytes":
        model = Mlp(rows=(4, 2))
        fully_shard(model, mesh=mesh)
        msd = get_state_dict(model, [])[0]
        state = {"model": msd, "step": 7, "lr": 0.125, "run": "run-1",
                 "meta": {"epoch": 3, "tags": ["a", "b"], "betas": (0.9, 0.99), "done": False, "none": None}}
    elif kind == "strided":
        # Local shards that torch.save writes with their strides (DCP clones only views whose storage
        # is larger than the view): a replicated transpose, a DTensor .t() (Shard(0) -> Shard(1) with
        # transposed locals), transposed and permuted from_local shards, and an overlapping view over
        # a storage of exactly its byte size (offset 2, stride 0). A sliced view is cloned by DCP.
        g = torch.Generator().manual_seed(166)
        a = torch.randn(4, 6, generator=g)
        b = torch.randn(6, 4, generator=g).to(torch.bfloat16)
        loc = torch.randn(5, 2, generator=g) + rank
        perm = torch.arange(24, dtype=torch.int64).reshape(3, 4, 2) + 100 * rank
        over = torch.randn(4, generator=g)
        big = torch.randn(5, 7, generator=g)
        state = {"model": {"repl_t": a.t(),
                           "tp_t": distribute_tensor(b, mesh, [Shard(0)]).t(),
                           "local_t": DTensor.from_local(loc.t(), mesh, [Shard(0)]),
                           "local_perm": DTensor.from_local(perm.permute(2, 0, 1), mesh, [Shard(1)]),
                           "overlap": over.as_strided((2, 2), (0, 1), 2),
                           "sliced": big[1:4, 2:6]}}
    else:
        raise ValueError(kind)
    dcp.save(state, checkpoint_id=str(folder))
    dist.barrier()
    dist.destroy_process_group()


def make_dcp(kind):
    def make(folder):
        import torch.multiprocessing as mp
        from torch.distributed.checkpoint.format_utils import dcp_to_torch_save
        mp.spawn(dcp_worker, args=(2, free_port(), kind, folder), nprocs=2, join=True)
        with tempfile.TemporaryDirectory() as tmp:
            whole = Path(tmp) / "whole.pt"
            dcp_to_torch_save(str(folder), str(whole))
            return torch.load(whole, weights_only=False)
    return make


# ---------------------------------------------------------------------------------------------- hostile variants

MARKER = "/tmp/pthconvert-pwned-dcp"


class _Run:
    """Pickles as a call to os.system: what a hostile .metadata would carry."""
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


def _dcp_variant(src, dst, mutate, dump=None):
    import pickle
    shutil.copytree(src, dst)
    with open(dst / ".metadata", "rb") as f:
        m = pickle.load(f)  # our own fixture, just written
    mutate(m, dst)
    with open(dst / ".metadata", "wb") as f:
        (dump or pickle.dump)(m, f)


def _chunks(m, fqn):
    return m.state_dict_metadata[fqn].chunks


def _storage(m, fqn, index):
    return next(k for k in m.storage_data if k.fqn == fqn and k.index == index)


def make_hostile(out):
    from torch.distributed.checkpoint.metadata import ChunkStorageMetadata
    h = out / "hostile"
    if h.exists():
        shutil.rmtree(h)
    h.mkdir()
    adam, w = out / "dcp_adam", "model.fc1.weight"
    rows = []

    def dcp(name, keyword, mutate, dump=None):
        _dcp_variant(adam, h / name, mutate, dump)
        rows.append((name, keyword))

    def out_of_range(m, d):
        c = _chunks(m, w)
        c[1] = ChunkStorageMetadata(offsets=torch.Size([6, 0]), sizes=c[1].sizes)
        k = _storage(m, w, 1)
        m.storage_data[type(k)(fqn=w, offset=torch.Size([6, 0]), index=1)] = m.storage_data.pop(k)
    dcp("dcp_chunk_out_of_range", "outside the tensor", out_of_range)

    def overlap(m, d):
        c = _chunks(m, w)
        c[1] = ChunkStorageMetadata(offsets=torch.Size([3, 0]), sizes=c[1].sizes)
        k = _storage(m, w, 1)
        m.storage_data[type(k)(fqn=w, offset=torch.Size([3, 0]), index=1)] = m.storage_data.pop(k)
    dcp("dcp_overlapping_chunks", "overlap", overlap)

    dcp("dcp_missing_chunk", "missing", lambda m, d: _chunks(m, w).pop(1))

    def dtype(m, d):
        m.state_dict_metadata[w].properties.dtype = torch.float64
    dcp("dcp_dtype_differs", "float64", dtype)

    def transform(m, d):
        info = m.storage_data[_storage(m, w, 0)]
        m.storage_data[_storage(m, w, 0)] = type(info)(info.relative_path, info.offset, info.length, ["zstd"])
    dcp("dcp_transform", "zstd", transform)

    def outside(m, d):
        info = m.storage_data[_storage(m, w, 0)]
        m.storage_data[_storage(m, w, 0)] = type(info)("../dcp_adam/__0_0.distcp", info.offset, info.length, None)
    dcp("dcp_path_outside", "plain file name", outside)

    def past_eof(m, d):
        f = d / "__1_0.distcp"
        f.write_bytes(f.read_bytes()[:-2000])
    dcp("dcp_past_eof", "past the end", past_eof)

    def code(m, d):
        m.storage_meta = _Run()
    dcp("dcp_code_global", "system", code)

    # sharded folders
    hf = out / "hf_bin"

    def hf_variant(name, keyword, edit):
        shutil.copytree(hf, h / name)
        idx = h / name / "pytorch_model.bin.index.json"
        j = json.loads(idx.read_text())
        edit(j, h / name)
        idx.write_text(json.dumps(j, indent=2) + "\n")
        rows.append((name, keyword))

    hf_variant("hf_index_outside", "plain file name",
               lambda j, d: j["weight_map"].update({"model.norm.weight": "../hf_bin/pytorch_model-00002-of-00002.bin"}))
    hf_variant("hf_missing_shard", "missing",
               lambda j, d: (d / "pytorch_model-00002-of-00002.bin").unlink())
    hf_variant("hf_name_not_in_shard", "does not hold",
               lambda j, d: j["weight_map"].update({"model.norm.weight": "pytorch_model-00001-of-00002.bin"}))

    def dup(j, d):
        sd = torch.load(d / "pytorch_model-00002-of-00002.bin", weights_only=True)
        sd["lm_head.weight"] = torch.zeros(10, 4)
        torch.save(sd, d / "pytorch_model-00002-of-00002.bin")
    hf_variant("hf_tensor_in_two_shards", "two shards", dup)

    # safetensors: offsets that leave a hole
    st = (out / "plain.safetensors").read_bytes()
    n = int.from_bytes(st[:8], "little")
    header = json.loads(st[8:8 + n])
    header["w.f32"]["data_offsets"][1] -= 4
    header["w.f32"]["shape"] = [1, 14]
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    (h / "st_hole.safetensors").write_bytes(len(text).to_bytes(8, "little") + text + st[8 + n:])
    rows.append(("st_hole.safetensors", "belong to no tensor"))
    (h / "st_truncated.safetensors").write_bytes(st[:-3])
    rows.append(("st_truncated.safetensors", "truncated"))
    G.tsv_write(h / "expected.tsv", ["file", "keyword"], rows)
    print(f"wrote {len(rows)} hostile inputs")


INPUTS = [
    ("plain.safetensors", make_plain_safetensors),
    ("hf_bin", make_hf_bin),
    ("hf_safetensors", make_hf_safetensors),
    ("dcp_adam", make_dcp("adam")),
    ("dcp_tp", make_dcp("tp")),
    ("dcp_uneven", make_dcp("uneven")),
    ("dcp_bytes", make_dcp("bytes")),
    ("dcp_strided", make_dcp("strided")),
    ("hf_single_safetensors", make_hf_single_safetensors),
    ("hf_single_bin", make_hf_single_bin),
    ("hf_single_both", make_hf_single_both),
]


def generate_inputs(out=OUT, only=None):
    out.mkdir(exist_ok=True)
    rows = []
    tsv = out / "inputs.tsv"
    if only and tsv.exists():
        _, old = G.tsv_read(tsv)
        rows = [r for r in old if r[0] not in only]
    for name, make in INPUTS:
        if only and name not in only:
            continue
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
        obj = make(p)
        rows += G.manifest_rows(name, obj)
        print(f"wrote {name}")
    order = [n for n, _ in INPUTS]
    rows.sort(key=lambda r: order.index(r[0]))  # stable: keeps each file's own row order
    G.tsv_write(tsv, ["file", "select", "name", "dtype", "shape", "sha256"], rows)
    if not only:  # hostile/ is rewritten with everything, or alone via the argument "hostile"
        make_hostile(out)


if __name__ == "__main__":
    if sys.argv[1:] == ["hostile"]:
        make_hostile(OUT)
    else:
        generate_inputs(only=set(sys.argv[1:]) or None)
