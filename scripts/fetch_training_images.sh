#!/usr/bin/env bash
# Fetches the Debian packages whose images neardup may use for training and development
# benchmarks (see shared/data/TRAINING-SOURCES.md; no other package's images) and lists them.
#
# Usage: scripts/fetch_training_images.sh [CACHE_DIR]   (default: data-cache/ in the repo root)
#
# Layout written under CACHE_DIR:
#   debs/PKG_VERSION_ARCH.deb    what `apt-get download` fetched (kept; skipped if present)
#   pkgs/PKG/                    the package unpacked with `dpkg -x`
#   images-PKG.txt               absolute paths of its image files, one a line, sorted
# Idempotent: a second run downloads and unpacks nothing and rewrites the same lists.
set -euo pipefail

readonly PACKAGES=(
  gnome-backgrounds
  desktop-base
  wesnoth-1.16-data
  tuxpaint-stamps-default
  stellarium-data
  freedroidrpg-data
)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${1:-${repo_root}/data-cache}"
mkdir -p "${cache_dir}/debs" "${cache_dir}/pkgs"
cache_dir="$(cd "${cache_dir}" && pwd)"

for tool in apt-get dpkg dpkg-deb find; do
  command -v "${tool}" >/dev/null || { echo "error: ${tool} not found" >&2; exit 1; }
done

# As root, apt drops to the _apt user, who cannot write into a cache folder owned by root and
# warns; apt checks the .deb against the signed archive index either way, so skip the drop.
apt_opts=(-q)
if ((EUID == 0)); then
  apt_opts+=(-o APT::Sandbox::User=root)
fi

total=0
for pkg in "${PACKAGES[@]}"; do
  # `apt-get download` writes into the current directory; the glob matches any version/arch.
  shopt -s nullglob
  debs=("${cache_dir}/debs/${pkg}"_*.deb)
  shopt -u nullglob
  if ((${#debs[@]} == 0)); then
    echo "downloading ${pkg}" >&2
    (cd "${cache_dir}/debs" && apt-get download "${apt_opts[@]}" "${pkg}") || {
      echo "error: apt-get download ${pkg} failed (run 'apt-get update'?)" >&2
      exit 1
    }
    shopt -s nullglob
    debs=("${cache_dir}/debs/${pkg}"_*.deb)
    shopt -u nullglob
    ((${#debs[@]} > 0)) || { echo "error: no .deb for ${pkg} after download" >&2; exit 1; }
  fi
  deb="${debs[-1]}"

  # Unpack into a temporary folder and rename, so an interrupted run never leaves a half tree
  # that a later run would take for complete.
  dest="${cache_dir}/pkgs/${pkg}"
  if [[ ! -d "${dest}" ]]; then
    tmp="${dest}.partial"
    rm -rf "${tmp}"
    dpkg -x "${deb}" "${tmp}"
    mv "${tmp}" "${dest}"
  fi

  list="${cache_dir}/images-${pkg}.txt"
  find "${dest}" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \
    -o -iname '*.webp' -o -iname '*.jxl' -o -iname '*.tif' -o -iname '*.tiff' \
    -o -iname '*.bmp' -o -iname '*.gif' \) | LC_ALL=C sort >"${list}.tmp"
  mv "${list}.tmp" "${list}"
  count=$(wc -l <"${list}")
  total=$((total + count))
  printf '%-26s %6d images  (%s)\n' "${pkg}" "${count}" "$(basename "${deb}")"
done
printf '%-26s %6d images  -> %s/images-*.txt\n' "total" "${total}" "${cache_dir}"
