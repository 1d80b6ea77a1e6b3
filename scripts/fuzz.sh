#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cc) with clang and runs each one.
#   scripts/fuzz.sh                          # each target for FUZZ_SECONDS (default 25 s; CI)
#   FUZZ_RUNS=1000000 scripts/fuzz.sh        # each target for a number of executions
#   FUZZ_SECONDS=3600 scripts/fuzz.sh csv formula   # chosen targets, one hour each
#   nice -n 19 scripts/fuzz.sh ...           # on a shared machine (one target at a time)
#   FUZZ_BUILD=0 ...                         # run the programs in build-fuzz/fuzz as built
#   FUZZ_MAX_LEN=1024 ...                    # libFuzzer -max_len (default 4096 bytes)
# Seeds: fuzz/corpus/<name>/ (copied into build-fuzz/corpus/<name>/, which
# grows); dictionaries: fuzz/dict/<name>.dict. Crashes are written to
# build-fuzz/artifacts/<name>-*; the script then fails. A one-line summary per
# target (executions, exec/s, seconds, corpus files) is appended to
# build-fuzz/fuzz-stats.txt. The targets that read files write them under
# $TMPDIR; each target runs with TMPDIR set to a scratch directory of this
# script, removed on exit (also after a crash, a timeout or Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/rebalance-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
if [ $# -gt 0 ]; then
  targets=$(for n in "$@"; do echo "${n%_fuzz}_fuzz"; done)
else
  targets=$(ls fuzz/*_fuzz.cc | xargs -n1 basename | sed 's/\.cc$//')
fi
if [ "${FUZZ_BUILD:-1}" != 0 ]; then  # FUZZ_BUILD=0: run the programs already built
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DREBALANCE_FUZZ=ON -DREBALANCE_BUILD_TESTS=OFF -DREBALANCE_BUILD_BENCH=OFF \
    -DREBALANCE_BUILD_PYTHON=OFF -DREBALANCE_BUILD_MPI=OFF >/dev/null
  cmake --build "$BUILD" -j"${FUZZ_BUILD_JOBS:-$(nproc)}" --target $targets
fi
mkdir -p "$BUILD/artifacts"
status=0
for t in $targets; do
  name=${t%_fuzz}
  work="$BUILD/corpus/$name"
  mkdir -p "$work"
  [ -d "fuzz/corpus/$name" ] && cp -n fuzz/corpus/"$name"/* "$work"/ 2>/dev/null || true
  args=(-artifact_prefix="$BUILD/artifacts/$name-" -max_len="${FUZZ_MAX_LEN:-4096}" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048)
  [ -f "fuzz/dict/$name.dict" ] && args+=(-dict="fuzz/dict/$name.dict")
  if [ -n "${FUZZ_RUNS:-}" ]; then args+=(-runs="$FUZZ_RUNS"); else args+=(-max_total_time="${FUZZ_SECONDS:-25}"); fi
  echo "== fuzz $t =="
  start=$(date +%s)
  log="$BUILD/$name.log"
  mkdir -p "$scratch/$name"
  TMPDIR="$scratch/$name" "$BUILD/fuzz/$t" "${args[@]}" "$work" >"$log" 2>&1 || true
  rm -rf "${scratch:?}/$name"
  execs=$(grep -m1 "stat::number_of_executed_units" "$log" | awk '{print $2}')
  rate=$(grep -m1 "stat::average_exec_per_sec" "$log" | awk '{print $2}')
  grep -E "ERROR|SUMMARY|invariant failed|deadly signal" "$log" | head -20 || true
  echo "$(date -u +%F) $t: ${execs:-?} executions in $(( $(date +%s) - start )) s" \
    "(${rate:-?} exec/s), corpus $(ls "$work" | wc -l) files" | tee -a "$BUILD/fuzz-stats.txt"
  if ls "$BUILD/artifacts/$name-"* >/dev/null 2>&1 || [ -z "$execs" ]; then
    echo "fuzz: $t found a crash (see $log): $(ls "$BUILD/artifacts/$name-"* 2>/dev/null)" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "fuzz: all targets ran clean"
exit $status
