#!/usr/bin/env python3
"""Times pthconvert against `cp` and the Python route on a training checkpoint made by torch.

Makes {"model": <W GiB of fp32 weights>, "optimizer": <SGD momentum state, same size>, ...},
then, after one untimed round, interleaved and repeated, runs:
  cp          copy of a file as large as the output (the floor for any converter)
  pthconvert  bin/pthconvert convert CKPT OUT  (model weights only, JAVA_TOOL_OPTIONS=-Xmx256m);
              with --format pth: bin/pthconvert strip CKPT OUT.pth
  python      torch.load(mmap=True) + safetensors.torch.save_file / numpy.savez / h5py / torch.save /
              onnx.numpy_helper.from_array + onnx.save (inline, or with external data)
each under /usr/bin/time -v for wall time and peak RSS, and prints medians, ratios and the
targets from the issues. Run it from the repository:
bench/run.sh [--gib 1] [--runs 3] [--format npz|hdf5|pth|onnx|onnx-external]
(--format onnx-external: pthconvert --external-data, onnx.save(save_as_external_data=True)).

Then the start-up rows, interleaved and repeated the same way:
  java -version          the JVM alone, with the launcher's options (the floor for any command)
  pthconvert --version, --help, inspect CKPT, scan CKPT

--many N[,N...] instead times checkpoints of N small tensors (a state dict of 16-float tensors, like a
mixture-of-experts optimizer state): convert to safetensors at -Xmx256m vs cp of the output, then one
conversion at -Xmx128m (it must succeed; its largest live heap after a full collection is shown, or
"no full GC"), and the same file converted to npz and stripped to .pth (medians; the target is the
safetensors one), and the Python route to the same safetensors file (torch.load(mmap=True) +
save_file), whose output must be byte-identical to ours.
"""
import argparse
import re
import hashlib
import os
import shutil
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
    ap.add_argument("--format", choices=["safetensors", "npz", "hdf5", "pth", "onnx", "onnx-external"],
                    default="safetensors")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "bench", "work"))
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    ckpt = os.path.join(args.workdir, f"train-{args.gib:g}gib.pth")
    if not os.path.exists(ckpt):
        print(f"making {ckpt} with torch ...", flush=True)
        make_checkpoint(ckpt, args.gib)
    external = args.format == "onnx-external"
    ext = ".h5" if args.format == "hdf5" else ".onnx" if external else "." + args.format
    out_java = os.path.join(args.workdir, "out-java" + ext)
    out_py = os.path.join(args.workdir, "out-python" + ext)
    copy = os.path.join(args.workdir, "copy.bin")

    env = dict(os.environ, JAVA_TOOL_OPTIONS="-Xmx256m")
    command = "strip" if args.format == "pth" else "convert"
    java_cmd = [os.path.join(ROOT, "bin", "pthconvert"), command, ckpt, out_java, "--force", "--quiet"]
    if external:
        java_cmd.append("--external-data")
    if args.format == "pth":
        py_code = ("import torch,sys; "
                   "sd=torch.load(sys.argv[1], mmap=True, weights_only=True)['model']; torch.save(sd, sys.argv[2])")
    elif args.format.startswith("onnx"):
        save = ("onnx.save(m, sys.argv[2], save_as_external_data=True, all_tensors_to_one_file=True, "
                "location=os.path.basename(sys.argv[2]) + '.data', size_threshold=0)" if external
                else "onnx.save(m, sys.argv[2])")
        py_code = ("import torch,sys,os,onnx; from onnx import helper, numpy_helper; "
                   "sd=torch.load(sys.argv[1], mmap=True, weights_only=True)['model']; "
                   "g=helper.make_graph([], 'weights', [], [], "
                   "[numpy_helper.from_array(v.numpy(), k) for k, v in sd.items()]); "
                   "m=helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)], ir_version=8); " + save)
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

    def files(out):
        """The output and its external-data sidecar, if any."""
        return [out] + ([out + ".data"] if external else [])

    # Warm-up: builds the jar if needed, fills the page cache, makes the file(s) cp copies.
    subprocess.run(java_cmd, env=env, check=True)
    reference = os.path.join(args.workdir, "cp-source" + ext)
    os.replace(out_java, reference)
    if external:
        os.replace(out_java + ".data", reference + ".data")
        copy = os.path.join(args.workdir, "copy-dir")
        os.makedirs(copy, exist_ok=True)
        cp_cmd = ["cp"] + files(reference) + [copy]
    else:
        cp_cmd = ["cp", reference, copy]
    routes = {"cp": (cp_cmd, None), "pthconvert": (java_cmd, env), "python": (py_cmd, None)}
    results = {name: [] for name in routes}
    outputs = {"cp": copy, "pthconvert": out_java, "python": out_py}
    def clean(name):
        """Every route starts alike: no old output to unlink, no dirty pages of the previous route
        still being written back (which would bill one route for another's writes)."""
        if name != "cp":
            for f in files(outputs[name]):
                if os.path.exists(f):
                    os.remove(f)
        if name == "cp" and os.path.isdir(copy):
            for f in os.listdir(copy):
                os.remove(os.path.join(copy, f))
        elif name == "cp" and os.path.exists(copy):
            os.remove(copy)
        os.sync()

    # One untimed round of every route: the first timed run of each was otherwise up to 2-4x its
    # median (all three routes alike, just after the checkpoint and the reference were written).
    for name, (cmd, e) in routes.items():
        clean(name)
        timed(cmd, e)
    for r in range(args.runs):
        for name, (cmd, e) in routes.items():
            clean(name)
            results[name].append(timed(cmd, e))
        print(f"run {r + 1}/{args.runs}: " + ", ".join(f"{n} {results[n][-1][0]:.2f}s" for n in routes), flush=True)

    size = sum(os.path.getsize(f) for f in files(out_java))
    for f in files(reference):
        os.remove(f)
    med = {n: statistics.median(t for t, _ in v) for n, v in results.items()}
    rss = {n: max(m for _, m in v) for n, v in results.items()}
    print()
    print(f"checkpoint {os.path.getsize(ckpt) / (1 << 30):.2f} GiB, output {size / (1 << 30):.2f} GiB ({args.format}), "
          f"{args.runs} interleaved runs, medians:")
    for n in routes:
        print(f"  {n:<11} {med[n]:7.2f} s  {size / med[n] / 1e6:8.0f} MB/s  peak RSS {rss[n]:7.0f} MiB  "
              f"x{med[n] / med['cp']:.2f} of cp")
    # The performance issue's targets (safetensors, pth, npz); the writers' own issues' for the rest.
    slack = {"safetensors": 0.3, "pth": 0.3, "npz": 0.4}.get(args.format)
    if slack is not None:
        limit = med["cp"] + slack
        print(f"target: pthconvert <= cp + {slack} s = {limit:.2f} s: "
              f"{'met' if med['pthconvert'] <= limit else 'MISSED'} ({med['pthconvert']:.2f} s)")
        speedup, rss_limit = 5, 100
    else:
        limit = 2.0 * med["cp"] + 0.5
        print(f"target: pthconvert <= 2.0 x cp + 0.5 s = {limit:.2f} s: "
              f"{'met' if med['pthconvert'] <= limit else 'MISSED'} ({med['pthconvert']:.2f} s)")
        speedup, rss_limit = 1, 400
    print(f"target: python / pthconvert > {speedup}: "
          f"{'met' if med['python'] > speedup * med['pthconvert'] else 'MISSED'} (x{med['python'] / med['pthconvert']:.1f})")
    print(f"target: pthconvert peak RSS < {rss_limit} MiB: {'met' if rss['pthconvert'] < rss_limit else 'MISSED'} "
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

    startup_rows(ckpt, args.runs)


# The launcher's JVM options (bin/pthconvert), so that `java -version` is timed as the launcher starts it.
LAUNCHER_JVM = ["-XX:+UseParallelGC", "-XX:MaxTenuringThreshold=0", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-XX:Tier3InvocationThreshold=40", "-XX:Tier3MinInvocationThreshold=20", "-XX:Tier3CompileThreshold=400",
                "-XX:Tier3BackEdgeThreshold=6000", "-XX:CICompilerCount=1"]
def _java_major():
    """The feature version of the `java` on PATH, from its release file (as the launcher reads it); 0 if unknown."""
    path = shutil.which("java")
    if not path:
        return 0
    release = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(path))), "release")
    try:
        with open(release) as f:
            m = re.search(r'^JAVA_VERSION="(\d+)', f.read(), re.M)
            return int(m.group(1)) if m else 0
    except OSError:
        return 0


if 17 <= _java_major() <= 25:
    LAUNCHER_JVM += ["-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"]
try:
    with open("/sys/kernel/mm/transparent_hugepage/enabled") as _thp:
        if "[madvise]" in _thp.read():
            LAUNCHER_JVM.append("-XX:+UseTransparentHugePages")
except OSError:
    pass


def startup_rows(ckpt, runs):
    """Start-up: the JVM alone against the commands that do little besides starting."""
    env = dict(os.environ, JAVA_TOOL_OPTIONS="-Xmx256m")
    launcher = os.path.join(ROOT, "bin", "pthconvert")
    routes = {
        "java -version": ["java"] + LAUNCHER_JVM + ["-version"],
        "--version": [launcher, "--version"],
        "--help": [launcher, "--help"],
        "inspect": [launcher, "inspect", ckpt],
        "scan": [launcher, "scan", ckpt],
    }
    results = {name: [] for name in routes}
    for cmd in routes.values():  # warm-up
        timed(cmd, env)
    for _ in range(max(runs, 5)):
        for name, cmd in routes.items():
            results[name].append(timed(cmd, env))
    med = {n: statistics.median(t for t, _ in v) for n, v in results.items()}
    base = med["java -version"]
    print()
    print(f"start-up, {max(runs, 5)} interleaved runs, medians (JAVA_TOOL_OPTIONS=-Xmx256m):")
    for n in routes:
        print(f"  {n:<14} {med[n]:6.3f} s  +{med[n] - base:6.3f} s over java -version")
    for n, slack in (("--version", 0.1), ("--help", 0.1), ("inspect", 0.2), ("scan", 0.2)):
        print(f"target: {n} <= java -version + {slack} s = {base + slack:.3f} s: "
              f"{'met' if med[n] <= base + slack else 'MISSED'} ({med[n]:.3f} s)")


def make_many(path, n):
    import torch
    g = torch.Generator().manual_seed(n)
    torch.save({f"experts.{i // 64}.w{i % 64}": torch.randn(16, generator=g) for i in range(n)}, path)


def live_heap_mib(gc_log):
    """The largest heap occupancy after a full collection in a -Xlog:gc log ('Pause Full (Ergonomics) 92M->78M(114M)');
    None when no full collection ran (the live set then never filled the old generation)."""
    peak = None
    with open(gc_log) as f:
        for line in f:
            m = re.search(r"Pause Full.*?(\d+)([KMG])->(\d+)([KMG])\(", line)
            if m:
                after = int(m.group(3)) * {"K": 1 / 1024, "M": 1, "G": 1024}[m.group(4)]
                peak = after if peak is None else max(peak, after)
    return peak


def many_tensors(workdir, counts, runs):
    """Per count: cp of the output, convert at -Xmx256m (timed), npz, strip and the Python route (timed; its output
    must equal ours), and one convert at -Xmx128m (must succeed)."""
    launcher = os.path.join(ROOT, "bin", "pthconvert")
    print(f"{'tensors':>8} {'cp':>7} {'convert':>8} {'beyond cp':>10} {'peak RSS':>9} {'at 128 MiB':>11} "
          f"{'live (full GC)':>15} {'npz':>6} {'strip':>6} {'python':>7} {'ratio':>6}  target")
    py_code = ("import torch,sys; from safetensors.torch import save_file; "
               "sd=torch.load(sys.argv[1], mmap=True, weights_only=True); "
               "save_file(sd, sys.argv[2], metadata={'format': 'pt'})")
    for n in counts:
        ckpt = os.path.join(workdir, f"many-{n}.pth")
        if not os.path.exists(ckpt):
            make_many(ckpt, n)
        out = os.path.join(workdir, f"many-{n}.safetensors")
        copy = os.path.join(workdir, "many-copy.bin")
        gc_log = os.path.join(workdir, "many-gc.log")
        env = dict(os.environ, JAVA_TOOL_OPTIONS="-Xmx256m")
        cmd = [launcher, "convert", ckpt, out, "--force", "--quiet"]
        timed(cmd, env)  # warm-up, and the file cp copies
        reference = out + ".ref"
        os.replace(out, reference)
        npz, pth = os.path.join(workdir, f"many-{n}-out.npz"), os.path.join(workdir, f"many-{n}-stripped.pth")
        py_out = os.path.join(workdir, f"many-{n}-python.safetensors")
        cps, ours, rss, npzs, strips, pys = [], [], [], [], [], []
        for _ in range(runs):
            for f in (out, copy, npz, pth, py_out):
                if os.path.exists(f):
                    os.remove(f)
            os.sync()
            cps.append(timed(["cp", reference, copy])[0])
            os.sync()
            t, r = timed(cmd, env)
            ours.append(t)
            rss.append(r)
            os.sync()
            npzs.append(timed([launcher, "convert", ckpt, npz, "--quiet"], env)[0])
            os.sync()
            strips.append(timed([launcher, "strip", ckpt, pth, "--quiet"], env)[0])
            os.sync()
            pys.append(timed([sys.executable, "-c", py_code, ckpt, py_out])[0])
        if sha256(out) != sha256(py_out):
            sys.exit(f"{out} differs from the Python route's {py_out}")
        for f in (reference, npz, pth, py_out):
            os.remove(f)
        small = dict(os.environ, JAVA_TOOL_OPTIONS=f"-Xmx128m -Xlog:gc:file={gc_log}")
        t128, _ = timed(cmd, small)
        heap = live_heap_mib(gc_log)
        live = "no full GC" if heap is None else f"{heap:.0f}Mi"
        c, o, py = statistics.median(cps), statistics.median(ours), statistics.median(pys)
        ok = o - c <= 1.0
        print(f"{n:>8} {c:6.2f}s {o:7.2f}s {o - c:9.2f}s {max(rss):7.0f}Mi {t128:9.2f}s {live:>15} "
              f"{statistics.median(npzs):5.2f}s {statistics.median(strips):5.2f}s {py:6.2f}s {py / o:5.1f}x  "
              f"{'met' if ok else 'MISSED'} (<= 1 s beyond cp; at 128 MiB: converted)")


if __name__ == "__main__":
    if "--many" in sys.argv:
        p = argparse.ArgumentParser()
        p.add_argument("--many", required=True, help="comma-separated tensor counts, e.g. 25000,50000,100000")
        p.add_argument("--runs", type=int, default=3)
        p.add_argument("--workdir", default=os.path.join(ROOT, "bench", "work"))
        a = p.parse_args()
        os.makedirs(a.workdir, exist_ok=True)
        many_tensors(a.workdir, [int(x) for x in a.many.split(",")], a.runs)
    else:
        main()
