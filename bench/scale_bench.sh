#!/usr/bin/env bash
# The scale benchmark of `neardup find` (issue 14): for each N, writes N distinct procedurally
# drawn photo-like images with planted copies of every edit family (bench/scale_gen_bench.cc,
# 1% of N originals, one copy per family), then runs the zero-flag `neardup find --json` twice
# with a fresh cache (cold, then warm) under /usr/bin/time, and scores the groups of the planted
# copies with `neardup bench eval --groups`. Never in CI (hours at 100k).
# Usage: bench/scale_bench.sh [N...]        (default: 10000 30000 100000; build/ must be built)
#   SCALE_DIR (default data-cache/scale) holds the folders, kept for re-runs; METHOD (default:
#   find's default) picks another method; SIZE (default 640x480) the image size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=build/neardup
gen=build/bench/scale_gen_bench
[[ -x $bin && -x $gen ]] || { echo "scale_bench.sh: build neardup and scale_gen_bench first" >&2; exit 1; }
root=${SCALE_DIR:-data-cache/scale}
sizes=("$@")
((${#sizes[@]})) || sizes=(10000 30000 100000)
printf '%8s %10s %10s %8s %10s %8s %10s %10s %8s\n' N cold_s warm_s warm% peak_MB groups precision recall joining
for n in "${sizes[@]}"; do
  dir=$root/n$n
  if [[ ! -f $dir/truth.csv ]]; then
    rm -rf "$dir"
    $gen --out "$dir" --n "$n" --size "${SIZE:-640x480}" >&2
  fi
  work=$(mktemp -d)
  cache=$work/cache.sqlite
  run() {  # $1 = label; prints "seconds peak_kb"
    /usr/bin/time -f '%e %M' -o "$work/$1.time" \
      $bin find "$dir/images" ${METHOD:+--method $METHOD} --cache "$cache" --json \
      >"$work/$1.json" 2>"$work/$1.err" || { echo "find failed:" >&2; tail "$work/$1.err" >&2; exit 1; }
    cat "$work/$1.time"
  }
  read -r cold cold_kb < <(run cold)
  read -r warm warm_kb < <(run warm)
  peak=$(( (cold_kb > warm_kb ? cold_kb : warm_kb) / 1024 ))
  $bin bench eval "$dir" --groups "$work/cold.json" >"$work/eval.txt"
  # All pairs: the images are distinct by construction, so no pair is left out.
  field() { awk -v k="$1" 'index($0, k) == 1 {print $(NF-1); exit}' "$work/eval.txt"; }
  printf '%8s %10s %10s %7.1f%% %10s %8s %10s %10s %8s\n' "$n" "$cold" "$warm" \
    "$(echo "100 * $warm / $cold" | bc -l)" "$peak" "$(field 'groups (2+ images)')" \
    "$(field 'pairwise precision')" "$(field 'pairwise recall')" "$(field 'groups joining originals')"
  cp "$work/eval.txt" "$root/eval-n$n.txt"
  cp "$work/cold.err" "$root/find-n$n.err"
  rm -rf "$work"
done
