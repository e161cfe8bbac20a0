#!/usr/bin/env bash
# Makes the seed corpora of the fuzz targets in fuzz/corpus/<target>/ (git-ignored):
# build-fuzz/fuzz/fuzz_make_corpus writes tiny valid inputs of every kind; the committed bad
# inputs of tests/data/reliability/ and tests/data/fuzz/ (earlier findings) and the golden
# images of tests/data/pdq/ are added to the decode corpus.
# Usage: fuzz/make_corpus.sh [BUILD_DIR]   (default build-fuzz)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$repo/build-fuzz}"
out="$repo/fuzz/corpus"
"$build/fuzz/fuzz_make_corpus" "$out"
for f in "$repo"/tests/data/reliability/* "$repo"/tests/data/pdq/*.{jpg,png}; do
  [[ -f "$f" && $(stat -c %s "$f") -le 65536 ]] && cp "$f" "$out/decode/"
done
if [[ -d "$repo/tests/data/fuzz" ]]; then
  for f in "$repo"/tests/data/fuzz/*; do
    [[ -f "$f" ]] || continue
    target="${f##*/}"
    target="${target%%-*}"
    [[ -d "$out/$target" ]] && cp "$f" "$out/$target/"
  done
fi
for d in "$out"/*/; do echo "$(ls "$d" | wc -l) seeds in ${d#"$repo"/}"; done
