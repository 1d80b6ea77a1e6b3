#!/usr/bin/env bash
# Installs the report's JavaScript assets from npm into report/web/node_modules,
# exactly as pinned in report/web/package-lock.json:
#   vega, vega-lite, vega-embed  - inlined into every report.html (offline charts)
#   playwright-core              - drives Debian's chromium in the browser test
# Idempotent: does nothing when the installed tree matches the lock file.
# Needs node and npm (scripts/setup.sh installs them) and network access the
# first time. The C++ renderer reads the assets from this directory unless
# REBALANCE_WEB_ASSETS points elsewhere.
set -euo pipefail
cd "$(dirname "$0")/../report/web"
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "fetch_web_assets: '$tool' not found; run scripts/setup.sh (installs nodejs and npm)" >&2
    exit 1
  fi
done
required=(
  node_modules/vega/build/vega.min.js
  node_modules/vega-lite/build/vega-lite.min.js
  node_modules/vega-embed/build/vega-embed.min.js
  node_modules/playwright-core/package.json
)
up_to_date=1
for f in "${required[@]}"; do [ -f "$f" ] || up_to_date=0; done
# npm records the installed tree in node_modules/.package-lock.json; an older
# copy than package-lock.json means the pins changed since the last install.
if [ "$up_to_date" = 1 ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
echo "fetch_web_assets: installing report/web dependencies from package-lock.json" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
for f in "${required[@]}"; do
  if [ ! -f "$f" ]; then
    echo "fetch_web_assets: $f is still missing after npm ci" >&2
    exit 1
  fi
done
