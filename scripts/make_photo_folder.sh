#!/usr/bin/env bash
# Builds the 8-megapixel photo folder used to time and check `neardup find` at camera sizes:
# picks the natural-looking large images of the training packages (wallpapers, Debian artwork,
# stellarium landscapes, nebulae and textures, painted sky-culture scans, freedroidrpg
# backgrounds; no sprite sheets or icons) and runs bench/make_photos_bench on them.
#
# Usage: scripts/make_photo_folder.sh [OUT_DIR] [extra make_photos_bench flags...]
#   default OUT_DIR: data-cache/photos8mp; needs scripts/fetch_training_images.sh to have run and
#   make_photos_bench to be built (BUILD_DIR, default build-data/ or build/).
# Example: scripts/make_photo_folder.sh data-cache/photos8mp --n 200 --seed 1
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${repo_root}/data-cache"
out="${1:-${cache}/photos8mp}"
shift || true

bench=""
for dir in "${BUILD_DIR:-}" "${repo_root}/build-data" "${repo_root}/build"; do
  if [[ -n "${dir}" && -x "${dir}/bench/make_photos_bench" ]]; then
    bench="${dir}/bench/make_photos_bench"
    break
  fi
done
[[ -n "${bench}" ]] || { echo "error: build make_photos_bench first (ninja make_photos_bench)" >&2; exit 1; }
for pkg in gnome-backgrounds desktop-base stellarium-data freedroidrpg-data; do
  [[ -f "${cache}/images-${pkg}.txt" ]] || {
    echo "error: ${cache}/images-${pkg}.txt missing; run scripts/fetch_training_images.sh" >&2
    exit 1
  }
done

list="${cache}/photo-sources.txt"
{
  cat "${cache}/images-gnome-backgrounds.txt" "${cache}/images-desktop-base.txt"
  grep -e /landscapes/ -e /nebulae/ -e /textures/ -e /scenery3d/ -e '/skycultures/.*\.jpg$' \
    "${cache}/images-stellarium-data.txt"
  grep -e /graphics/backgrounds/ -e /graphics/obstacles/ "${cache}/images-freedroidrpg-data.txt"
} >"${list}"

# Only what a previous run wrote, so a mistyped OUT_DIR loses nothing else.
if [[ -d "${out}" ]]; then
  find "${out}" -maxdepth 1 -type f \( -name 'IMG_*.jpg' -o -name truth.csv -o -name manifest.csv \) -delete
fi
"${bench}" --sources "${list}" --out "${out}" "$@"
