#!/usr/bin/env bash
# Runs one fuzz target on its corpus (fuzz/corpus/<target>/, made by fuzz/make_corpus.sh) at the
# lowest CPU priority, with the campaign's limits; crashes go to fuzz/corpus/artifacts/.
# Usage: fuzz/run.sh TARGET [SECONDS] [LIBFUZZER_FLAG...]   (default 600 s)
#   TARGET: decode cache index features csv pairs truth hashlist
# Environment: BUILD_DIR (default build-fuzz).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$repo/build-fuzz}"
target="$1"
seconds="${2:-600}"
shift $(($# >= 2 ? 2 : 1))
case "$target" in
  decode | features) max_len=65536 ;;  # images and feature records of a few hundred keypoints
  cache | index) max_len=16384 ;;      # the fuzzed values of one row
  csv | pairs | truth) max_len=8192 ;;
  hashlist) max_len=4096 ;;
  *) echo "fuzz/run.sh: unknown target $target" >&2; exit 1 ;;
esac
mkdir -p "$repo/fuzz/corpus/$target" "$repo/fuzz/corpus/artifacts"
# One thread: OpenMP (Faiss) would otherwise take every core for tiny searches.
export OMP_NUM_THREADS=1
exec nice -n 19 "$build/fuzz/fuzz_$target" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
  -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$repo/fuzz/corpus/artifacts/$target-" "$@" "$repo/fuzz/corpus/$target"
