#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, runs the unit and
# integration tests (ctest: GoogleTest suites, CLI scripts, pytest, the report
# in headless Chromium, MPI with 2 ranks), then the unit suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, then every fuzz target for a
# short time. REBALANCE_SKIP_ASAN=1 / REBALANCE_SKIP_FUZZ=1 skip those passes
# locally.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
echo "== unit and integration tests (Release) =="
export OMP_WAIT_POLICY=passive  # tests run two at a time on two cores: no spinning threads
ctest --test-dir build --output-on-failure -j"$(nproc)"
if [ "${REBALANCE_SKIP_ASAN:-0}" != 1 ]; then
  echo "== unit tests under ASan+UBSan =="
  BUILD_DIR=build-asan scripts/build.sh -DREBALANCE_SANITIZE=ON \
    -DREBALANCE_BUILD_BENCH=OFF -DREBALANCE_BUILD_PYTHON=OFF -DREBALANCE_BUILD_MPI=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -LE slow -E '^(cli|python)[.]' 
fi
if [ "${REBALANCE_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz targets (short runs) =="
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} scripts/fuzz.sh
fi
echo "== all test passes done =="
