#!/usr/bin/env bash
# Issue 2's speed check, measured side by side in one run:
#   (1) decode only: every JPEG at 1/8 DCT scale with OpenCV (IMREAD_REDUCED_COLOR_8), 2 threads;
#   (2) `neardup find --method M` with a cold cache;  (3) the same with a warm cache.
# Usage: bench/find_vs_decode.sh PHOTO_DIR [METHOD] [ROUNDS]   (build/ must be built)
set -euo pipefail
dir=${1:?usage: bench/find_vs_decode.sh PHOTO_DIR [METHOD] [ROUNDS]}
method=${2:-pdq}
rounds=${3:-3}
bin=build/neardup
n=$(find "$dir" -maxdepth 1 -iname '*.jpg' | wc -l)
cache=$(mktemp -d)/cache.sqlite
now() { date +%s.%N; }
printf 'images: %s (JPEG) in %s, method %s, %s rounds, %s cores\n' "$n" "$dir" "$method" "$rounds" "$(nproc)"
for r in $(seq "$rounds"); do
  # Let the page cache hold the files for every contender alike.
  cat "$dir"/*.jpg >/dev/null
  dec=$(NEARDUP_DECODE_ONLY=reduced8 build/bench/decode_bench "$dir" 2 | awk '/reduced8/ {print $NF}')
  rm -f "$cache"*
  t0=$(now); $bin find "$dir" --method "$method" --cache "$cache" -q >/dev/null 2>&1 || true; t1=$(now)
  $bin find "$dir" --method "$method" --cache "$cache" -q >/dev/null 2>&1 || true; t2=$(now)
  awk -v n="$n" -v dec="$dec" -v c="$(echo "$t1 - $t0" | bc)" -v w="$(echo "$t2 - $t1" | bc)" 'BEGIN {
    printf "round: decode-only 1/8: %.2f s (%.1f img/s) | find cold: %.2f s (%.1f img/s) ratio %.2fx | find warm: %.3f s = %.1f%% of cold\n",
      dec, n/dec, c, n/c, c/dec, w, 100*w/c }'
done
rm -rf "$(dirname "$cache")"
