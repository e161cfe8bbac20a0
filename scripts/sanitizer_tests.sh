#!/usr/bin/env bash
# Builds the unit tests of a subset of areas with AddressSanitizer + UndefinedBehaviorSanitizer
# (CMake option NEARDUP_SANITIZE) in build-asan/ and runs them with ctest (label unit). Any
# sanitizer report (memory error, leak, undefined behaviour) aborts the test, so ctest fails.
# No benchmarks, no nn plugin (LibTorch), no MPI plugin: only the library and the chosen tests.
# Usage: scripts/sanitizer_tests.sh [AREA...]   (default: the areas below; see fuzz/README.md for
#        the time this takes). Environment: BUILD_DIR (default build-asan), JOBS (default nproc),
#        CXX (the compiler; gcc or clang).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$repo/build-asan}"
jobs="${JOBS:-$(nproc)}"
areas=("$@")
if ((${#areas[@]} == 0)); then
  areas=(image hash store verify search pipeline)
fi

mkdir -p "$build"
# Leaks inside third-party libraries on their own paths, not neardup's: x265 (libheif's HEIC
# encoder, used by the HEIF tests) keeps encoder state; Faiss's read_index_binary leaks the index
# it was filling when a damaged vectors.faiss makes it throw (neardup catches that and rebuilds).
cat >"$build/lsan.supp" <<'SUPP'
leak:libx265.so
leak:faiss::read_index_binary
SUPP
# Set before building too: gtest_discover_tests runs each test binary at build time.
export ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$build/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"

# -O1: most of a sanitizer run is compiling; asserts stay on (no NDEBUG).
cmake -S "$repo" -B "$build" -G Ninja -DNEARDUP_SANITIZE=ON -DNEARDUP_BUILD_TESTS=ON \
  -DNEARDUP_BUILD_BENCH=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
  >/dev/null
targets=()
regex=""
for area in "${areas[@]}"; do
  targets+=("${area}_test")
  regex+="${regex:+|}${area}"
done
ninja -C "$build" -j "$jobs" "${targets[@]}"
ctest --test-dir "$build" -L unit -R "^(${regex})\\." -j "$jobs" --output-on-failure --timeout 300
