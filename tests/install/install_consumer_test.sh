#!/bin/sh
# Installs the build into a temporary prefix, builds examples/consumer against it with CMake
# (find_package(neardup)) and with pkg-config, and checks what the installed programs print:
# the consumer's PDQ hash equals `neardup hash`'s, and the installed CLI finds the installed
# plugin and models (no environment variable, no build folder).
#
#   install_consumer_test.sh BUILD_DIR SOURCE_DIR CMAKE GENERATOR MAKE_PROGRAM CXX HAVE_NN_PLUGIN
#                            [PYTHON PYTHON_INSTALL_DIR]   (the Python module's checks, when built)
set -eu
build=$1 src=$2 cmake=$3 generator=$4 make_program=$5 cxx=$6 have_nn=$7
python=${8:-} py_dir=${9:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/neardup-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tmp=$(cd -P "$tmp" && pwd)  # as /proc/self/exe names it, for the plugin path below
prefix=$tmp/prefix
# Nothing may point the installed programs elsewhere.
unset NEARDUP_MODEL_DIR NEARDUP_NN_PLUGIN NEARDUP_MPI_PLUGIN PKG_CONFIG_PATH
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== cmake --install"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log"; fail "cmake --install"; }
grep -E 'libneardup|/bin/|cmake/neardup/|pkgconfig/|models/README' "$tmp/install.log"
for f in bin/neardup include/neardup/registry.h share/neardup/models/README.md; do
  [ -f "$prefix/$f" ] || fail "$prefix/$f was not installed"
done
for plugin in libneardup_nn.so libneardup_mpi.so; do  # where the build has them
  if [ -f "$build/$plugin" ] && [ ! -f "$prefix/lib/neardup/$plugin" ]; then
    fail "$prefix/lib/neardup/$plugin was not installed"
  fi
done
lib=$(find "$prefix" -name 'libneardup.so.*.*.*' | head -n 1)
[ -n "$lib" ] || fail "no libneardup.so.X.Y.Z under $prefix"
libdir=$(dirname "$lib")
[ -f "$libdir/cmake/neardup/neardup-config.cmake" ] || fail "no neardup-config.cmake in $libdir"
[ -f "$libdir/pkgconfig/neardup.pc" ] || fail "no neardup.pc in $libdir/pkgconfig"
# Only neardup:: is exported: Faiss (linked in statically) and the inline code of OpenCV and
# nlohmann_json stay inside the library (cmake/libneardup.map).
nm -DC --defined-only "$lib" >"$tmp/exports"
grep -q ' neardup::MakeMethod' "$tmp/exports" || fail "$lib does not export neardup::MakeMethod"
if grep -vE '^[0-9a-f]+ [A-Za-z] ((vtable|VTT|typeinfo|typeinfo name) for |(non-)?virtual thunk to )?neardup::' \
  "$tmp/exports" >"$tmp/leaks"; then
  head -n 5 "$tmp/leaks"
  fail "$lib exports third-party symbols"
fi

echo "== consumer, CMake"
"$cmake" -S "$src/examples/consumer" -B "$tmp/consumer" -G "$generator" \
  -DCMAKE_MAKE_PROGRAM="$make_program" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  >"$tmp/configure.log" || { cat "$tmp/configure.log"; fail "configuring the consumer"; }
tail -n 3 "$tmp/configure.log"
"$cmake" --build "$tmp/consumer" || fail "building the consumer"

a=$src/examples/harbour.jpg
b=$src/examples/harbour_rotated.jpg
check_consumer() {  # $1: the consumer binary
  rc=0
  "$1" "$a" "$b" >"$tmp/out" || rc=$?
  [ $rc -eq 0 ] || { cat "$tmp/out"; fail "$1 exited $rc"; }
  cat "$tmp/out"
  for f in "$a" "$b"; do
    # `neardup hash` prints "  pdq8   0  HEX" (variant 0) and "  pdq    HEX  quality Q".
    "$prefix/bin/neardup" hash "$f" >"$tmp/hash"
    want=$(awk '$1 == "pdq8" && $2 == "0" { print $3 }' "$tmp/hash")
    want_q=$(awk '$1 == "pdq" { print $4 }' "$tmp/hash")
    if [ ${#want} -ne 64 ] || [ -z "$want_q" ]; then fail "no pdq8 hash in \`neardup hash $f\`"; fi
    got=$(awk -v f="$f" '$1 == f && $2 == "pdq8" && $4 == "quality" { print $3, $5 }' "$tmp/out")
    [ "$got" = "$want $want_q" ] ||
      fail "$1 prints '$got' for $f, \`neardup hash\` '$want $want_q'"
  done
  d=$(sed -n 's/^distance \([0-9]*\) bits.*near-duplicates$/\1/p' "$tmp/out")
  if [ -z "$d" ] || [ "$d" -gt 16 ]; then fail "harbour and harbour_rotated are not close for $1"; fi
  # An unreadable file is an error naming the file.
  if "$1" "$tmp/no-such.jpg" 2>"$tmp/err"; then fail "$1 accepted a missing file"; fi
  grep -q "no-such.jpg" "$tmp/err" || fail "$1's error does not name the file: $(cat "$tmp/err")"
}
check_consumer "$tmp/consumer/consumer"
if [ "$have_nn" = ON ]; then
  # A program outside the prefix: libneardup.so finds the plugin and the model in its own prefix.
  LD_DEBUG=files "$tmp/consumer/consumer" --learned "$a" "$b" >"$tmp/learned" 2>"$tmp/ld" ||
    { cat "$tmp/learned"; grep -v '^ *[0-9]*:' "$tmp/ld"; fail "consumer --learned"; }
  grep -q "file=$prefix/lib/neardup/libneardup_nn.so" "$tmp/ld" ||
    fail "the consumer did not open $prefix/lib/neardup/libneardup_nn.so"
  grep 'cosine' "$tmp/learned" || fail "consumer --learned printed no cosine"
fi

echo "== consumer, pkg-config"
flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs neardup) ||
  fail "pkg-config does not find neardup"
echo "pkg-config --cflags --libs neardup: $flags"
# shellcheck disable=SC2086  # the flags are words
"$cxx" -std=c++20 -O1 "$src/examples/consumer/main.cc" $flags -Wl,-rpath,"$libdir" \
  -o "$tmp/consumer-pc" || fail "compiling the consumer with pkg-config's flags"
check_consumer "$tmp/consumer-pc"

echo "== installed CLI"
"$prefix/bin/neardup" --version | grep -q '^neardup [0-9]' || fail "neardup --version"
if [ "$have_nn" = ON ]; then
  # The learned method needs the plugin (P/lib/neardup/) and the model (P/share/neardup/models/):
  # LD_DEBUG shows which plugin file was opened.
  LD_DEBUG=files "$prefix/bin/neardup" compare "$a" "$b" -m cnn:mobilenet_v2 \
    >"$tmp/compare" 2>"$tmp/ld" || { cat "$tmp/compare"; fail "neardup compare -m cnn:mobilenet_v2"; }
  grep -q "file=$prefix/lib/neardup/libneardup_nn.so" "$tmp/ld" ||
    fail "the installed neardup did not open $prefix/lib/neardup/libneardup_nn.so"
  grep 'cnn:mobilenet_v2' "$tmp/compare" | head -n 2
  # The summary line (stderr) names the method.
  "$prefix/bin/neardup" find "$src/examples" --no-cache 2>&1 >/dev/null |
    grep -q 'Method fused:cnn:mobilenet_v2' ||
    fail "the installed neardup does not default to fused:cnn:mobilenet_v2 (models not found?)"
fi
if [ -n "$python" ]; then
  echo "== installed Python module"
  # From / with only the prefix on PYTHONPATH: the build tree cannot be what is imported.
  (cd / && LD_DEBUG=files PYTHONPATH="$prefix/$py_dir" "$python" -c '
import os, subprocess, sys
import neardup
prefix, have_nn, image, cli = sys.argv[1:5]
assert neardup.__file__.startswith(prefix), neardup.__file__
want = subprocess.run([cli, "hash", image], capture_output=True, text=True).stdout
assert neardup.hash(image)["hash"] in want, "pdq8 differs from the CLI"
if have_nn == "ON":
    assert neardup.default_method() == "fused:cnn:mobilenet_v2", neardup.default_method()
    v = neardup.describe([image], "cnn:mobilenet_v2")
    print("neardup", neardup.__version__, "from", os.path.dirname(neardup.__file__),
          "describe cnn:mobilenet_v2", v.shape)
else:
    print("neardup", neardup.__version__, "from", os.path.dirname(neardup.__file__))
' "$prefix" "$have_nn" "$a" "$prefix/bin/neardup") >"$tmp/py" 2>"$tmp/pyld" ||
    { cat "$tmp/py"; grep -v '^ *[0-9]*:' "$tmp/pyld" | tail -n 20; fail "the installed Python module"; }
  cat "$tmp/py"
  if [ "$have_nn" = ON ]; then
    grep -q "file=$prefix/lib/neardup/libneardup_nn.so" "$tmp/pyld" ||
      fail "the installed Python module did not open $prefix/lib/neardup/libneardup_nn.so"
  fi
fi
echo "PASS"
