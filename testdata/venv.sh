#!/usr/bin/env bash
# Makes (or reuses) the Python venv the interop tests, the fixture generator and the benchmark use:
# .venv at the repository root (git-ignored), with torch 2.13 (CPU) and the reference readers.
# Fails loudly, saying what to install, when it cannot be made: the interop stage never skips.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
venv="${PTHCONVERT_VENV:-$root/.venv}"
check='import torch, numpy, safetensors, h5py, onnx, onnxruntime; assert torch.__version__.startswith("2.13")'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
  exit 0
fi
if ! command -v python3 >/dev/null; then
  echo "venv.sh: python3 is missing; install Python 3.9+ with the venv module (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi
echo "venv.sh: creating $venv (torch 2.13 CPU, numpy, safetensors, h5py, onnx, onnxruntime; about a minute)" >&2
if ! python3 -m venv "$venv"; then
  echo "venv.sh: 'python3 -m venv' failed; install the venv module (Debian: apt-get install python3-venv)" >&2
  exit 1
fi
if ! PIP_RETRIES="${PIP_RETRIES:-0}" PIP_TIMEOUT="${PIP_TIMEOUT:-5}" "$venv/bin/pip" install -q \
    'torch==2.13.*' numpy safetensors h5py onnx onnxruntime >&2; then
  echo "venv.sh: pip could not install torch==2.13.* numpy safetensors h5py onnx onnxruntime into $venv;" \
       "make them installable (a package index or wheel folder pip can reach) and run again" >&2
  exit 1
fi
"$venv/bin/python" -c "$check" || { echo "venv.sh: the venv at $venv does not import torch 2.13 and the readers" >&2; exit 1; }
