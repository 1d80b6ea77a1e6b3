#!/usr/bin/env bash
# Installs every Debian package rebalance needs to build, test and run.
# Idempotent: skips apt-get when everything is already present.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config ccache
  libeigen3-dev libopenblas-dev libcli11-dev libtomlplusplus-dev libfmt-dev
  nlohmann-json3-dev zlib1g-dev libisal-dev libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-pybind11 python3-dev python3-numpy python3-pandas python3-pytest
  libopenmpi-dev openmpi-bin
  clang libclang-rt-14-dev clang-format
  chromium
  emscripten
)
# Node.js and npm: the machine's own (e.g. NodeSource's nodejs, which bundles
# npm) are used when present; otherwise Debian's packages.
command -v node >/dev/null || PKGS+=(nodejs)
command -v npm >/dev/null || PKGS+=(npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The report's JavaScript (vega, vega-lite, vega-embed) and the browser-test
# driver (playwright-core) from npm, pinned by report/web/package-lock.json.
"$(dirname "$0")/fetch_web_assets.sh"
