#!/usr/bin/env bash
# Benchmark: bench/run.sh [--gib 1] [--runs 3] [--format safetensors|npz|hdf5|pth]   (pth: the strip command)
# Uses the interop venv ($PTHCONVERT_VENV, else .venv at the repository root), creating it if missing.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
"$root/testdata/venv.sh" >&2
exec "${PTHCONVERT_VENV:-$root/.venv}/bin/python" "$root/bench/bench.py" "$@"
