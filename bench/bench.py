#!/usr/bin/env python3
"""Times pthconvert against `cp` and the Python route on a training checkpoint made by torch.

Makes {"model": <W GiB of fp32 weights>, "optimizer": <SGD momentum state, same size>, ...},
then, interleaved and repeated, runs:
  cp          copy of a file as large as the output (the floor for any converter)
  pthconvert  bin/pthconvert convert CKPT OUT  (model weights only, JAVA_TOOL_OPTIONS=-Xmx256m);
              with --format pth: bin/pthconvert strip CKPT OUT.pth
  python      torch.load(mmap=True) + safetensors.torch.save_file / numpy.savez / h5py / torch.save
each under /usr/bin/time -v for wall time and peak RSS, and prints medians, ratios and the
targets from the issues. Run it from the repository: bench/run.sh [--gib 1] [--runs 3] [--format npz|hdf5|pth]
"""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_checkpoint(path, gib):
    import torch
    n_tensors = 64
    per = int(gib * (1 << 30) / 4 / n_tensors)
    g = torch.Generator().manual_seed(0)
    model = {}
    for i in range(n_tensors):
        model[f"layers.{i}.weight"] = torch.randn(per, generator=g)
    state = {i: {"momentum_buffer": torch.randn(per, generator=g)} for i in range(n_tensors)}
    ckpt = {
        "model": model,
        "optimizer": {"state": state, "param_groups": [{"lr": 0.1, "momentum": 0.9, "params": list(range(n_tensors))}]},
        "scheduler": {"milestones": {30: 1, 80: 1}, "gamma": 0.1, "last_epoch": 10},
        "iteration": 9999,
    }
    torch.save(ckpt, path)


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v; returns (seconds, peak RSS in MiB)."""
    full = ["/usr/bin/time", "-v"] + cmd
    t0 = time.perf_counter()
    p = subprocess.run(full, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    rss_kib = 0
    for line in p.stderr.splitlines():
        if "Maximum resident set size" in line:
            rss_kib = int(line.split(":")[1])
    return wall, rss_kib / 1024


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gib", type=float, default=1.0, help="GiB of fp32 model weights (optimizer state doubles it)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--format", choices=["safetensors", "npz", "hdf5", "pth"], default="safetensors")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "bench", "work"))
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    ckpt = os.path.join(args.workdir, f"train-{args.gib:g}gib.pth")
    if not os.path.exists(ckpt):
        print(f"making {ckpt} with torch ...", flush=True)
        make_checkpoint(ckpt, args.gib)
    ext = ".h5" if args.format == "hdf5" else "." + args.format
    out_java = os.path.join(args.workdir, "out-java" + ext)
    out_py = os.path.join(args.workdir, "out-python" + ext)
    copy = os.path.join(args.workdir, "copy.bin")

    env = dict(os.environ, JAVA_TOOL_OPTIONS="-Xmx256m")
    command = "strip" if args.format == "pth" else "convert"
    java_cmd = [os.path.join(ROOT, "bin", "pthconvert"), command, ckpt, out_java, "--force", "--quiet"]
    if args.format == "pth":
        py_code = ("import torch,sys; "
                   "sd=torch.load(sys.argv[1], mmap=True, weights_only=True)['model']; torch.save(sd, sys.argv[2])")
    elif args.format == "safetensors":
        py_code = ("import torch,sys; from safetensors.torch import save_file; "
                   "sd=torch.load(sys.argv[1], mmap=True, weights_only=True)['model']; "
                   "save_file({k: v.contiguous() for k, v in sd.items()}, sys.argv[2], metadata={'format': 'pt'})")
    elif args.format == "hdf5":
        py_code = ("import torch,sys,h5py; "
                   "sd=torch.load(sys.argv[1], mmap=True, weights_only=True)['model']; f=h5py.File(sys.argv[2], 'w'); "
                   "[f.create_dataset(k.replace('.', '/'), data=v.numpy()).attrs.update(name=k, torch_dtype=str(v.dtype)[6:]) "
                   "for k, v in sd.items()]; f.close()")
    else:
        py_code = ("import torch,sys,numpy as np; "
                   "sd=torch.load(sys.argv[1], mmap=True, weights_only=True)['model']; "
                   "np.savez(sys.argv[2], **{k: v.numpy() for k, v in sd.items()})")
    py_cmd = [sys.executable, "-c", py_code, ckpt, out_py]

    # Warm-up: builds the jar if needed, fills the page cache, makes the file cp copies.
    subprocess.run(java_cmd, env=env, check=True)
    reference = os.path.join(args.workdir, "cp-source" + ext)
    os.replace(out_java, reference)
    cp_cmd = ["cp", reference, copy]
    routes = {"cp": (cp_cmd, None), "pthconvert": (java_cmd, env), "python": (py_cmd, None)}
    results = {name: [] for name in routes}
    outputs = {"cp": copy, "pthconvert": out_java, "python": out_py}
    for r in range(args.runs):
        for name, (cmd, e) in routes.items():
            # Every route starts alike: no old output to unlink, no dirty pages of the previous route
            # still being written back (which would bill one route for another's writes).
            if name != "cp" and os.path.exists(outputs[name]):
                os.remove(outputs[name])
            if name == "cp" and os.path.exists(copy):
                os.remove(copy)
            os.sync()
            results[name].append(timed(cmd, e))
        print(f"run {r + 1}/{args.runs}: " + ", ".join(f"{n} {results[n][-1][0]:.2f}s" for n in routes), flush=True)

    size = os.path.getsize(out_java)
    os.remove(reference)
    med = {n: statistics.median(t for t, _ in v) for n, v in results.items()}
    rss = {n: max(m for _, m in v) for n, v in results.items()}
    print()
    print(f"checkpoint {os.path.getsize(ckpt) / (1 << 30):.2f} GiB, output {size / (1 << 30):.2f} GiB ({args.format}), "
          f"{args.runs} interleaved runs, medians:")
    for n in routes:
        print(f"  {n:<11} {med[n]:7.2f} s  {size / med[n] / 1e6:8.0f} MB/s  peak RSS {rss[n]:7.0f} MiB  "
              f"x{med[n] / med['cp']:.2f} of cp")
    factor = 2.0 if args.format == "npz" else 1.5
    limit = factor * med["cp"] + 0.5
    print(f"target: pthconvert <= {factor} x cp + 0.5 s = {limit:.2f} s: "
          f"{'met' if med['pthconvert'] <= limit else 'MISSED'} ({med['pthconvert']:.2f} s)")
    speedup = 1 if args.format == "hdf5" else 3   # hdf5: faster than the Python route
    print(f"target: python / pthconvert >= {speedup}: "
          f"{'met' if med['python'] >= speedup * med['pthconvert'] else 'MISSED'} (x{med['python'] / med['pthconvert']:.1f})")
    print(f"target: pthconvert peak RSS < 400 MiB: {'met' if rss['pthconvert'] < 400 else 'MISSED'} "
          f"({rss['pthconvert']:.0f} MiB)")
    if args.format == "safetensors":
        same = sha256(out_java) == sha256(out_py)
        print(f"pthconvert output identical to safetensors.torch.save_file: {'yes' if same else 'NO'}")
    if args.format == "pth":
        import torch
        a = torch.load(out_java, weights_only=True, mmap=True)
        b = torch.load(out_py, weights_only=True, mmap=True)
        same = list(a) == list(b) and all(a[k].dtype == b[k].dtype and a[k].shape == b[k].shape
                                          and torch.equal(a[k].view(torch.uint8), b[k].view(torch.uint8)) for k in a)
        print(f"pthconvert output loads equal to torch.save of the same weights: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
