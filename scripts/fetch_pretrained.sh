#!/usr/bin/env bash
# Fetches the ImageNet-derived weights the learned models start from (issue 15): the npm package
# nsfwjs 4.4.0 (MIT; its MobileNetV2 / InceptionV3 weights derive from the Keras ImageNet weights,
# Apache-2.0), and rewrites each of its models in the standard TensorFlow.js layers-model format
# that `neardup model import` reads: model.json (modelTopology + weightsManifest) and the binary
# weight shards it names.
#
# Training time only: never called at run time, nor by setup.sh. Needs npm and node (Debian's
# `npm` package) and the npm registry.
#
# Usage: scripts/fetch_pretrained.sh CACHE_DIR
#   writes CACHE_DIR/npm/nsfwjs-4.4.0.tgz (kept: a re-run does not download again) and
#   CACHE_DIR/pretrained/{mobilenet_v2,mobilenet_v2_mid,inception_v3}/.
set -euo pipefail
cache=${1:?usage: $0 CACHE_DIR}
version=4.4.0
mkdir -p "$cache/npm" "$cache/pretrained"
cache=$(cd "$cache" && pwd)
tgz=$cache/npm/nsfwjs-$version.tgz
if [[ ! -s $tgz ]]; then
  (cd "$cache/npm" && npm pack --silent "nsfwjs@$version" >/dev/null)
fi
[[ -s $tgz ]] || { echo "fetch_pretrained.sh: npm pack nsfwjs@$version gave no $tgz" >&2; exit 1; }
unpacked=$cache/npm/nsfwjs-$version
rm -rf "$unpacked" && mkdir -p "$unpacked"
tar -xzf "$tgz" -C "$unpacked"
models=$unpacked/package/dist/models
[[ -d $models ]] || { echo "fetch_pretrained.sh: $tgz has no package/dist/models/" >&2; exit 1; }

# Each model.min.js is a browserify module exporting {modelTopology, weightsManifest}; each
# group1-shardKofN.min.js exports one base64 string (the shard's bytes). node evaluates them.
for dir in "$models"/*/; do
  name=$(basename "$dir")
  out=$cache/pretrained/$name
  rm -rf "$out" && mkdir -p "$out"
  node - "$dir" "$out" <<'EOF'
const fs = require('fs');
const path = require('path');
const [dir, out] = process.argv.slice(2);
const model = require(path.join(dir, 'model.min.js'));
if (!model.modelTopology || !model.weightsManifest) throw new Error(dir + ': no modelTopology');
for (const group of model.weightsManifest) {
  group.paths = group.paths.map((p) => {
    const text = require(path.join(dir, p + '.min.js'));
    if (typeof text !== 'string') throw new Error(p + ': not a base64 string');
    fs.writeFileSync(path.join(out, p + '.bin'), Buffer.from(text, 'base64'));
    return p + '.bin';
  });
}
fs.writeFileSync(path.join(out, 'model.json'),
                 JSON.stringify({format: 'layers-model', generatedBy: 'nsfwjs 4.4.0',
                                 modelTopology: model.modelTopology,
                                 weightsManifest: model.weightsManifest}));
EOF
  cp "$unpacked/package/LICENSE" "$out/LICENSE"
  echo "$out: $(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1)"
done
echo "nsfwjs-$version.tgz sha256 $(sha256sum "$tgz" | cut -d' ' -f1)"
