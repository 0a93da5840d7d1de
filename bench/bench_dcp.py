#!/usr/bin/env python3
"""Times pthconvert on a torch.distributed.checkpoint folder against `cp` and torch's own route.

Makes a DCP folder saved by 2 gloo ranks on the CPU: {"model": W GiB of fp32 DTensors}, three
quarters sharded on dim 0 (FSDP) and one quarter on dim 1 (tensor parallel, so chunks interleave by
rows). Then, interleaved and repeated:
  cp          copy of a file as large as the output
  pthconvert  bin/pthconvert convert DIR OUT.safetensors  (JAVA_TOOL_OPTIONS=-Xmx256m)
  python      dcp_to_torch_save(DIR, tmp) + torch.load + safetensors.torch.save_file
each under /usr/bin/time -v, and prints medians, peak RSS and the targets of issue 16.

    PTHCONVERT_VENV=/work/venv /work/venv/bin/python bench/bench_dcp.py [--gib 2] [--runs 3]
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, sha256, timed  # noqa: E402

N_TENSORS = 32
COLS = 4096


def worker(rank, world, port, folder, gib):
    import torch
    import torch.distributed as dist
    import torch.distributed.checkpoint as dcp
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor, Shard
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    mesh = init_device_mesh("cpu", (world,))
    rows = int(gib * (1 << 30) / 4 / N_TENSORS / COLS)
    g = torch.Generator().manual_seed(rank)
    model = {}
    for i in range(N_TENSORS):
        if i % 4 == 3:  # tensor parallel: each rank holds half of the columns
            local = torch.randn(rows, COLS // world, generator=g)
            model[f"layers.{i}.tp.weight"] = DTensor.from_local(local, mesh, [Shard(1)], run_check=False,
                                                                 shape=torch.Size([rows, COLS]),
                                                                 stride=(COLS, 1))
        else:
            local = torch.randn(rows // world, COLS, generator=g)
            model[f"layers.{i}.fsdp.weight"] = DTensor.from_local(local, mesh, [Shard(0)], run_check=False,
                                                                   shape=torch.Size([rows, COLS]),
                                                                   stride=(COLS, 1))
    dcp.save({"model": model}, checkpoint_id=folder)
    dist.barrier()
    dist.destroy_process_group()


def make_dcp(folder, gib):
    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(worker, args=(2, port, folder, gib), nprocs=2, join=True)


PY_ROUTE = """
import sys, os, torch
from torch.distributed.checkpoint.format_utils import dcp_to_torch_save
from safetensors.torch import save_file
dcp_to_torch_save(sys.argv[1], sys.argv[3])
sd = torch.load(sys.argv[3], weights_only=False)["model"]
os.remove(sys.argv[3])
save_file({k: v.contiguous() for k, v in sd.items()}, sys.argv[2], metadata={"format": "pt"})
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gib", type=float, default=2.0, help="GiB of fp32 weights in the DCP folder")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "bench", "work"))
    ap.add_argument("--no-python", action="store_true",
                    help="skip torch's route (minutes on a loaded machine); its target is then not judged")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    folder = os.path.join(args.workdir, f"dcp-{args.gib:g}gib")
    if not os.path.exists(os.path.join(folder, ".metadata")):
        print(f"making {folder} with 2 gloo ranks ...", flush=True)
        make_dcp(folder, args.gib)
    out_java = os.path.join(args.workdir, "dcp-out-java.safetensors")
    out_py = os.path.join(args.workdir, "dcp-out-python.safetensors")
    tmp_pt = os.path.join(args.workdir, "dcp-whole.pt")
    copy = os.path.join(args.workdir, "dcp-copy.bin")
    env = dict(os.environ, JAVA_TOOL_OPTIONS="-Xmx256m")
    java_cmd = [os.path.join(ROOT, "bin", "pthconvert"), "convert", folder, out_java, "--force", "--quiet"]
    py_cmd = [sys.executable, "-c", PY_ROUTE, folder, out_py, tmp_pt]
    subprocess.run(java_cmd, env=env, check=True)  # warm-up: page cache, jar
    reference = os.path.join(args.workdir, "dcp-cp-source.bin")
    os.replace(out_java, reference)
    routes = {"cp": (["cp", reference, copy], None), "pthconvert": (java_cmd, env), "python": (py_cmd, None)}
    if args.no_python:
        del routes["python"]
    outputs = {"cp": copy, "pthconvert": out_java, "python": out_py}
    results = {n: [] for n in routes}
    for r in range(args.runs):
        for name, (cmd, e) in routes.items():
            for p in (outputs[name], tmp_pt):
                if os.path.exists(p):
                    os.remove(p)
            os.sync()
            results[name].append(timed(cmd, e))
        print(f"run {r + 1}/{args.runs}: " + ", ".join(f"{n} {results[n][-1][0]:.2f}s {results[n][-1][1]:.0f} MiB"
                                                      for n in routes), flush=True)
    size = os.path.getsize(out_java)
    same = None if args.no_python else sha256(out_java) == sha256(out_py)
    for p in (reference, copy, out_py):
        if os.path.exists(p):
            os.remove(p)
    med = {n: statistics.median(t for t, _ in v) for n, v in results.items()}
    rss = {n: max(m for _, m in v) for n, v in results.items()}
    print(f"\nDCP folder {args.gib:g} GiB by 2 ranks, output {size / (1 << 30):.2f} GiB safetensors, "
          f"{args.runs} interleaved runs, medians:")
    for n in routes:
        print(f"  {n:<11} {med[n]:7.2f} s  {size / med[n] / 1e6:8.0f} MB/s  peak RSS {rss[n]:7.0f} MiB  "
              f"x{med[n] / med['cp']:.2f} of cp")
    limit = 2 * med["cp"] + 0.5
    print(f"target: pthconvert <= 2 x cp + 0.5 s = {limit:.2f} s: "
          f"{'met' if med['pthconvert'] <= limit else 'MISSED'} ({med['pthconvert']:.2f} s)")
    if "python" in med:
        print(f"target: python / pthconvert >= 3: {'met' if med['python'] >= 3 * med['pthconvert'] else 'MISSED'} "
              f"(x{med['python'] / med['pthconvert']:.1f})")
        print(f"pthconvert output identical to the python route's: {'yes' if same else 'NO'}")
    print(f"target: pthconvert peak RSS < 400 MiB: {'met' if rss['pthconvert'] < 400 else 'MISSED'} "
          f"({rss['pthconvert']:.0f} MiB)")


if __name__ == "__main__":
    main()
