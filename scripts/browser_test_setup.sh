#!/usr/bin/env bash
# Installs what the browser test of the review page needs (tests/browser/): Debian's chromium and
# nodejs (when there is no node), and playwright-core from npm into build/browser-test/.
# Run by .ci/run before the tests; cheap when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PLAYWRIGHT_VERSION=1.65.2
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  echo "browser_test_setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dir=build/browser-test
if [[ ! -f $dir/node_modules/playwright-core/package.json ]] ||
   ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" $dir/node_modules/playwright-core/package.json; then
  mkdir -p $dir
  (cd $dir && npm install --no-save --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
fi
echo "browser_test_setup: chromium $(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9.]*' | head -1), node $(node --version), playwright-core $PLAYWRIGHT_VERSION"
