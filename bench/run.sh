#!/usr/bin/env bash
# Benchmark: bench/run.sh [--gib 1] [--runs 3] [--format safetensors|npz|hdf5|pth|onnx|onnx-external]
# (pth: the strip command), then the start-up rows (java -version, --version, --help, inspect, scan);
# bench/run.sh --many 25000,50000,100000: checkpoints of many small tensors, time beyond cp and heap.
# Uses the interop venv ($PTHCONVERT_VENV, else .venv at the repository root),
# creating it if missing.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
"$root/testdata/venv.sh" >&2
exec "${PTHCONVERT_VENV:-$root/.venv}/bin/python" "$root/bench/bench.py" "$@"
