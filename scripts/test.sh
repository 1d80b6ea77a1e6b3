#!/usr/bin/env bash
# The whole test suite (CI runs it on a clean clone: .ci/run): a clang-format
# check of every C++ file (scripts/format.sh --check), then three passes:
#  1. Release build (no benchmarks) and every ctest: GoogleTest suites, CLI
#     scripts, pytest, the report in headless Chromium, MPI with 2 ranks.
#  2. The one sanitizer build (clang, ASan+UBSan, libFuzzer instrumentation;
#     scripts/build.sh --sanitize) and its ctest: the unit tests. The CLI,
#     Python and MPI tests are not built there (they drive the Release
#     command and module; the sanitizers see the same library code through the
#     unit tests and the fuzz targets). No test is excluded otherwise.
#  3. Every fuzz target of that same build for FUZZ_SECONDS (default 20 s),
#     two at a time on two cores (FUZZ_JOBS).
# REBALANCE_SKIP_SANITIZE=1 / REBALANCE_SKIP_FUZZ=1 skip passes 2 / 3 locally.
# Each pass prints its wall time; docs/ci.md has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
stage() { echo "== $1 ($(( $(date +%s) - t0 )) s since start) =="; }
scripts/setup.sh
stage "format check (clang-format, .clang-format)"
scripts/format.sh --check
stage "Release build"
scripts/build.sh -DREBALANCE_BUILD_BENCH=OFF
stage "unit and integration tests (Release)"
export OMP_WAIT_POLICY=passive  # tests run two at a time on two cores: no spinning threads
ctest --test-dir build --output-on-failure -j"$(nproc)"
if [ "${REBALANCE_SKIP_SANITIZE:-${REBALANCE_SKIP_ASAN:-0}}" != 1 ]; then
  stage "sanitizer build (clang, ASan+UBSan+libFuzzer instrumentation)"
  scripts/build.sh --sanitize
  stage "unit tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-san --output-on-failure -j"$(nproc)"
fi
if [ "${REBALANCE_SKIP_FUZZ:-0}" != 1 ]; then
  stage "fuzz targets (short runs)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)} FUZZ_BUILD_DIR=build-san scripts/fuzz.sh
fi
stage "all test passes done"
