#!/usr/bin/env bash
# Installs neardup's build dependencies (Debian 12 packages) and builds it into build/.
# Usage: ./setup.sh [--no-install] [--debug]
# Re-running is cheap: packages already present are not fetched again, the build is incremental.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libopencv-dev libopencv-contrib-dev libturbojpeg0-dev libpng-dev libgif-dev libheif-dev
  libsqlite3-dev nlohmann-json3-dev libcli11-dev libssl-dev libcpp-httplib-dev libtorch-dev libfaiss-dev libopenblas0-openmp
  libopenmpi-dev openmpi-bin
  libgtest-dev libgmock-dev
  pybind11-dev python3-dev python3-numpy python3-pytest
)

install=1
build_type=RelWithDebInfo
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --debug) build_type=Debug ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 1 ;;
  esac
done

if [[ $install == 1 ]]; then
  missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) == 0 ]] || sudo="sudo"
    echo "setup.sh: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DNEARDUP_WERROR=ON >/dev/null
ninja -C build
echo "setup.sh: built build/neardup"
