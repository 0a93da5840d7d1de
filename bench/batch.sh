#!/usr/bin/env bash
# Batch benchmark: bench/batch.sh [--copies 40] [--mib 50] [--runs 3] [--jobs 2] [--work DIR]
#
# Makes one checkpoint of MIB MiB of float32 weights with torch (a dict of tensors under 'model'),
# copies it COPIES times into a zoo, then, repeated RUNS times and interleaved, times:
#   cp -r      the same bytes copied (the floor for any converter)
#   batch      pthconvert batch --to safetensors --jobs JOBS (one JVM)
#   convert    COPIES sequential `pthconvert convert` runs (one JVM each)
#   start      `pthconvert --version` (one JVM start, for the saving batch should show)
# and prints medians and the issue's targets: batch faster than the sequential converts by at least
# COPIES JVM starts, and batch <= 1.3 x cp + 1 s.
# Uses PTHCONVERT_VENV (or .venv, made by testdata/venv.sh) for torch; PTHCONVERT_JAR like bin/pthconvert.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
copies=40 mib=50 runs=3 jobs=2 work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --copies) copies="$2"; shift 2 ;;
    --mib) mib="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "batch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
venv="${PTHCONVERT_VENV:-$root/.venv}"
[ -x "$venv/bin/python" ] || "$root/testdata/venv.sh" >&2
work="${work:-$(mktemp -d "${TMPDIR:-/tmp}/pthconvert-batch-bench.XXXXXX")}"
mkdir -p "$work"
trap 'rm -rf "$work/zoo" "$work/out" "$work/copy" "$work/seq"' EXIT
pth="$root/bin/pthconvert"

"$venv/bin/python" - "$work/one.pth" "$mib" <<'PY'
import sys, torch
path, mib = sys.argv[1], int(sys.argv[2])
g = torch.Generator().manual_seed(0)
per = mib * (1 << 20) // 4 // 8
torch.save({"model": {f"layers.{i}.weight": torch.randn(per, generator=g) for i in range(8)}, "step": 1}, path)
PY
rm -rf "$work/zoo"
for i in $(seq 1 "$copies"); do
  d="$work/zoo/group$((i % 4))"; mkdir -p "$d"; cp "$work/one.pth" "$d/m$i.pth"
done
bytes=$(du -sb "$work/zoo" | cut -f1)
"$pth" --version >/dev/null  # builds the jar if missing; warms the page cache with it
cat "$work"/zoo/*/*.pth > /dev/null

now() { date +%s.%N; }
declare -a t_cp t_batch t_seq t_start
for r in $(seq 1 "$runs"); do
  rm -rf "$work/copy" "$work/out" "$work/seq"; sync
  s=$(now); cp -r "$work/zoo" "$work/copy"; sync; e=$(now); t_cp+=("$(echo "$e - $s" | bc)")
  rm -rf "$work/copy"; sync
  s=$(now); "$pth" batch --to safetensors --jobs "$jobs" --out-dir "$work/out" "$work/zoo" -q; sync; e=$(now)
  t_batch+=("$(echo "$e - $s" | bc)")
  rm -rf "$work/out"; sync
  s=$(now)
  for f in "$work"/zoo/*/*.pth; do
    rel="${f#"$work/zoo/"}"; mkdir -p "$work/seq/$(dirname "$rel")"
    "$pth" convert "$f" "$work/seq/${rel%.pth}.safetensors" -q
  done
  sync; e=$(now); t_seq+=("$(echo "$e - $s" | bc)")
  rm -rf "$work/seq"
  s=$(now); for k in 1 2 3 4 5; do "$pth" --version >/dev/null; done; e=$(now)
  t_start+=("$(echo "($e - $s) / 5" | bc -l)")
  echo "run $r: cp ${t_cp[-1]} s, batch ${t_batch[-1]} s, $copies converts ${t_seq[-1]} s, JVM start ${t_start[-1]} s" >&2
done

"$venv/bin/python" - "$bytes" "$copies" "$jobs" "${t_cp[*]}" "${t_batch[*]}" "${t_seq[*]}" "${t_start[*]}" <<'PY'
import statistics, sys
nbytes, copies, jobs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
cp, batch, seq, start = (statistics.median(map(float, a.split())) for a in sys.argv[4:8])
gib = nbytes / (1 << 30)
print(f"{copies} x {nbytes / copies / (1 << 20):.0f} MiB = {gib:.2f} GiB; medians of {len(sys.argv[4].split())} runs")
print(f"  cp -r                       {cp:7.2f} s  ({gib / cp:.2f} GiB/s)")
print(f"  batch --jobs {jobs}              {batch:7.2f} s  ({gib / batch:.2f} GiB/s)")
print(f"  {copies} sequential converts     {seq:7.2f} s  ({gib / seq:.2f} GiB/s)")
print(f"  one JVM start               {start:7.3f} s")
saved = seq - batch
ok1 = saved >= copies * start
ok2 = batch <= 1.3 * cp + 1
print(f"target 1: batch saves {saved:.2f} s >= {copies} JVM starts ({copies * start:.2f} s): {'yes' if ok1 else 'NO'}")
print(f"target 2: batch {batch:.2f} s <= 1.3 x cp + 1 s ({1.3 * cp + 1:.2f} s): {'yes' if ok2 else 'NO'}")
sys.exit(0 if ok1 and ok2 else 1)
PY
