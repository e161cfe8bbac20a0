#!/usr/bin/env bash
# Builds the development benchmark from the images of the training packages
# (../shared/data/TRAINING-SOURCES.md) and runs every method on it:
#   1. scripts/fetch_training_images.sh          (apt-get download + dpkg -x into data-cache/)
#   2. neardup bench make ... data-cache/bench   (originals, 24 transform families, distractors,
#                                                 5 hard negatives per original)
#   3. neardup bench run ... --out data-cache/report   (HTML report, report.json, summary.md)
#   4. copies summary.md to bench/results/benchmark.md (numbers only; the report's thumbnails show
#      package images and stay in data-cache/, which git ignores).
# Usage: scripts/run_benchmark.sh [--originals N] [--seed S] [--methods M,...] [--held-out]
#   --held-out  draw originals and distractors from the held-out split only (files `neardup train`
#               never uses), for scoring learned methods; results go to benchmark-heldout.md.
#               Learned methods find their models as usual ($NEARDUP_MODEL_DIR, models/).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
originals=150
seed=1
methods=""
held_out=""
while (($#)); do
  case "$1" in
    --originals) originals=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --held-out) held_out=1; shift ;;
    *) echo "run_benchmark.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
bin="${BUILD_DIR:-build}/neardup"
[[ -x "$bin" ]] || { echo "run_benchmark.sh: build first (./setup.sh)" >&2; exit 1; }

scripts/fetch_training_images.sh data-cache >/dev/null
pkgs=data-cache/pkgs
suffix=o${originals}-s${seed}${held_out:+-heldout}
bench=data-cache/bench-$suffix
report=data-cache/report-$suffix
results=bench/results/benchmark${held_out:+-heldout}.md
if [[ ! -f "$bench/truth.csv" ]]; then
  rm -rf "$bench"
  /usr/bin/time -f "bench make: %e s wall, %M KB peak" \
    "$bin" bench make "$pkgs/stellarium-data" "$pkgs/freedroidrpg-data" "$pkgs/gnome-backgrounds" \
    "$pkgs/desktop-base" "$pkgs/wesnoth-1.16-data" "$pkgs/tuxpaint-stamps-default" "$bench" \
    --originals "$originals" --seed "$seed" ${held_out:+--held-out} -q
fi
rm -rf "$report"
/usr/bin/time -f "bench run: %e s wall, %M KB peak" \
  "$bin" bench run "$bench" ${methods:+--methods "$methods"} --out "$report"
{
  echo "# Development benchmark"
  echo
  echo "Made by \`scripts/run_benchmark.sh --originals $originals --seed $seed${held_out:+ --held-out}${methods:+ --methods $methods}\`"
  echo "on $(date -u +%Y-%m-%d)"
  echo "($(nproc) cores). Sources: the six training packages; report: \`$report/index.html\`."
  echo
  cat "$report/summary.md"
} > "$results"
echo "wrote $results and $report/index.html"
