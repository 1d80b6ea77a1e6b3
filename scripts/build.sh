#!/usr/bin/env bash
# Configures and builds rebalance (Release) into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPython3_EXECUTABLE=/usr/bin/python3 -DREBALANCE_NATIVE=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
