#!/usr/bin/env bash
# `neardup index dups` on N random PDQ hashes with PLANTED near copies (1-31 bits), through the CLI:
# import time, index size, then dups at Hamming <= 31 with 1 process x 2 threads, 1 x 1 and
# 2 processes x 1 thread (mpirun): wall time, peak memory per process, recall of the planted pairs,
# and whether the outputs are identical. Needs GNU time (/usr/bin/time, Debian package `time`).
# Usage: bench/index_dups.sh [N] [PLANTED]     (from the repository root, after ./setup.sh)
set -euo pipefail
N=${1:-1000000}
PLANTED=${2:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
nd=build/neardup
build/bench/index_bench hex "$N" "$PLANTED" "$work/hashes.txt" "$work/truth.csv"
$nd index create "$work/ix" -m pdq >/dev/null
/usr/bin/time -f "import: %e s, %M KB peak" $nd index import "$work/ix" --pdq-hex "$work/hashes.txt"
$nd index stats "$work/ix"
for run in "1 2" "1 1" "2 1"; do
  set -- $run
  echo "== $1 process(es) x $2 thread(s)"
  if [[ $1 == 1 ]]; then
    /usr/bin/time -f "dups: %e s, %M KB peak" $nd index dups "$work/ix" -t 31 -j "$2" \
      > "$work/dups-$1-$2.csv"
  else
    mpirun -np "$1" --oversubscribe /usr/bin/time -f "dups (one process): %e s, %M KB peak" \
      $nd index dups "$work/ix" -t 31 -j "$2" > "$work/dups-$1-$2.csv"
  fi
  build/bench/index_bench recall "$work/truth.csv" "$work/dups-$1-$2.csv"
  cmp -s "$work/dups-1-2.csv" "$work/dups-$1-$2.csv" && echo "output identical to 1 x 2"
done
