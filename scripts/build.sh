#!/usr/bin/env bash
# Configures and builds rebalance.
#   scripts/build.sh [-DVAR=VALUE...]          Release (gcc, -O2 -march=native) into ./build:
#                                              the library, the `rebalance` command, the unit
#                                              tests, the Python module and the MPI driver
#   scripts/build.sh --target rebalance_cli    only the `rebalance` command (and what it links)
#   scripts/build.sh --sanitize [...]          the one sanitizer build, into ./build-san: clang,
#                                              AddressSanitizer + UBSan, libFuzzer instrumentation,
#                                              -O1 with line tables; the unit tests and the fuzz
#                                              targets (no command, Python module, MPI or benchmarks).
#                                              scripts/test.sh runs its tests, scripts/fuzz.sh its
#                                              fuzz targets.
# BUILD_DIR overrides the folder. ccache is used when installed (REBALANCE_CCACHE=0: not).
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
configure=()
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --target) targets+=("$2"); shift ;;
    *) configure+=("$1") ;;
  esac
  shift
done
if [ "${REBALANCE_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
  configure=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache "${configure[@]}")
  # Paths relative to the clone, so that clones in other folders share the cache.
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
if [ $sanitize = 1 ]; then
  BUILD_DIR=${BUILD_DIR:-build-san}
  # -O1 -gline-tables-only: symbolised sanitizer reports with line numbers, at a
  # fraction of the compile time of -O2 -g (docs/ci.md has the measurements).
  configure=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG"
    -DREBALANCE_SANITIZE=ON -DREBALANCE_FUZZ=ON -DREBALANCE_BUILD_APP=OFF
    -DREBALANCE_BUILD_BENCH=OFF -DREBALANCE_BUILD_PYTHON=OFF -DREBALANCE_BUILD_MPI=OFF
    "${configure[@]}")
else
  BUILD_DIR=${BUILD_DIR:-build}
  configure=(-DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 -DREBALANCE_NATIVE=ON
    "${configure[@]}")
fi
cmake -S . -B "$BUILD_DIR" -G Ninja "${configure[@]}" >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${targets[@]}"
else
  cmake --build "$BUILD_DIR" -j"$(nproc)"
fi
