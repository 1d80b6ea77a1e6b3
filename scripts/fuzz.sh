#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each one.
#   scripts/fuzz.sh                 # each target for FUZZ_SECONDS (default 30 s)
#   FUZZ_RUNS=1000000 scripts/fuzz.sh   # each target for a number of executions
# Crashes are written to build-fuzz/artifacts/; corpora grow in a scratch copy.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build-fuzz
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREBALANCE_FUZZ=ON -DREBALANCE_BUILD_TESTS=OFF -DREBALANCE_BUILD_BENCH=OFF \
  -DREBALANCE_BUILD_PYTHON=OFF -DREBALANCE_BUILD_MPI=OFF >/dev/null
targets=$(ls fuzz/*_fuzz.cc | xargs -n1 basename | sed 's/\.cc$//')
cmake --build "$BUILD" -j"$(nproc)" --target $targets
mkdir -p "$BUILD/artifacts"
for t in $targets; do
  name=${t%_fuzz}
  work="$BUILD/corpus/$name"
  mkdir -p "$work"
  [ -d "fuzz/corpus/$name" ] && cp -n fuzz/corpus/"$name"/* "$work"/ 2>/dev/null || true
  args=(-artifact_prefix="$BUILD/artifacts/$name-" -max_len=4096 -print_final_stats=1)
  [ -f "fuzz/dict/$name.dict" ] && args+=(-dict="fuzz/dict/$name.dict")
  if [ -n "${FUZZ_RUNS:-}" ]; then args+=(-runs="$FUZZ_RUNS"); else args+=(-max_total_time="${FUZZ_SECONDS:-30}"); fi
  echo "== fuzz $t =="
  "$BUILD/fuzz/$t" "${args[@]}" "$work" 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY|crash" || true
  if ls "$BUILD/artifacts/$name-"* >/dev/null 2>&1; then
    echo "fuzz: $t found a crash: $(ls "$BUILD/artifacts/$name-"*)" >&2
    exit 1
  fi
done
echo "fuzz: all targets ran clean"
