#!/usr/bin/env bash
# Runs every benchmark and the end-to-end timings quoted in the closing notes.
# Results (Google Benchmark JSON and /usr/bin/time output) go to bench/out/.
# Usage: bench/run_all.sh [quick]   ("quick" skips the 10M-row and ICIO-size cases)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
# The benchmark programs are not in CI's build (REBALANCE_BUILD_BENCH=OFF): build them here.
BUILD_DIR="$B" scripts/build.sh -DREBALANCE_BUILD_BENCH=ON --target io_benchmark \
  --target gravity_ge_benchmark --target multisector_benchmark --target ppml_benchmark --target rebalance_cli
mkdir -p bench/out
quick=${1:-}
filter_io=.; filter_ppml=.
if [ "$quick" = quick ]; then filter_io='^BM_(Read|Leontief|Kww|Wwz|DenseInverse)'; filter_ppml='1000000|1M'; fi
"$B/bench/io_benchmark" --benchmark_filter="$filter_io" --benchmark_out=bench/out/io.json --benchmark_out_format=json
"$B/bench/gravity_ge_benchmark" --benchmark_out=bench/out/gravity_ge.json --benchmark_out_format=json
"$B/bench/multisector_benchmark" --benchmark_out=bench/out/multisector.json --benchmark_out_format=json
"$B/bench/ppml_benchmark" --benchmark_filter="$filter_ppml" --benchmark_out=bench/out/ppml.json --benchmark_out_format=json
# `rebalance run` with no arguments (the README's main job), after the build.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -v "$B/rebalance" run --out "$tmp/out" --quiet > /dev/null 2> bench/out/run_time.txt
grep -E "Elapsed|Maximum resident" bench/out/run_time.txt
