#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cc) in the sanitizer build
# (scripts/build.sh --sanitize: clang, ASan+UBSan, ./build-san; the same build
# serves the unit tests' sanitizer pass) and runs each one.
#   scripts/fuzz.sh                          # each target for FUZZ_SECONDS (default 25 s; CI: 20 s)
#   FUZZ_RUNS=1000000 scripts/fuzz.sh        # each target for a number of executions
#   FUZZ_SECONDS=3600 scripts/fuzz.sh csv formula   # chosen targets, one hour each
#   FUZZ_JOBS=2 scripts/fuzz.sh              # two targets at a time (CI: one per core)
#   nice -n 19 scripts/fuzz.sh ...           # on a shared machine (one target at a time)
#   FUZZ_BUILD=0 ...                         # run the programs in build-san/fuzz as built
#   FUZZ_MAX_LEN=1024 ...                    # libFuzzer -max_len (default 4096 bytes)
# Seeds: fuzz/corpus/<name>/ (copied into build-san/corpus/<name>/, which
# grows); dictionaries: fuzz/dict/<name>.dict. Crashes (including undefined
# behaviour: UBSan aborts in this build) are written to
# build-san/artifacts/<name>-*; the script then fails. A one-line summary per
# target (executions, exec/s, seconds, corpus files) is appended to
# build-san/fuzz-stats.txt. The targets that read files write them under
# $TMPDIR; each target runs with TMPDIR set to a scratch directory of this
# script, removed on exit (also after a crash, a timeout or Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD_DIR:-build-san}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/rebalance-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
if [ $# -gt 0 ]; then
  targets=$(for n in "$@"; do echo "${n%_fuzz}_fuzz"; done)
else
  targets=$(ls fuzz/*_fuzz.cc | xargs -n1 basename | sed 's/\.cc$//')
fi
if [ "${FUZZ_BUILD:-1}" != 0 ]; then  # FUZZ_BUILD=0: run the programs already built
  target_args=()
  for t in $targets; do target_args+=(--target "$t"); done
  BUILD_DIR="$BUILD" scripts/build.sh --sanitize "${target_args[@]}"
fi
mkdir -p "$BUILD/artifacts"

# Runs one target; prints its summary; returns 1 on a crash.
fuzz_one() {
  local t=$1 name=${1%_fuzz}
  local work="$BUILD/corpus/$name" log="$BUILD/$name.log" start execs rate
  mkdir -p "$work"
  [ -d "fuzz/corpus/$name" ] && cp -n fuzz/corpus/"$name"/* "$work"/ 2>/dev/null || true
  local args=(-artifact_prefix="$BUILD/artifacts/$name-" -max_len="${FUZZ_MAX_LEN:-4096}" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048)
  [ -f "fuzz/dict/$name.dict" ] && args+=(-dict="fuzz/dict/$name.dict")
  if [ -n "${FUZZ_RUNS:-}" ]; then args+=(-runs="$FUZZ_RUNS"); else args+=(-max_total_time="${FUZZ_SECONDS:-25}"); fi
  start=$(date +%s)
  mkdir -p "$scratch/$name"
  TMPDIR="$scratch/$name" "$BUILD/fuzz/$t" "${args[@]}" "$work" >"$log" 2>&1 || true
  rm -rf "${scratch:?}/$name"
  execs=$(grep -m1 "stat::number_of_executed_units" "$log" | awk '{print $2}' || true)
  rate=$(grep -m1 "stat::average_exec_per_sec" "$log" | awk '{print $2}' || true)
  {
    echo "== fuzz $t =="
    grep -E "ERROR|SUMMARY|runtime error|invariant failed|deadly signal" "$log" | head -20 || true
  }
  echo "$(date -u +%F) $t: ${execs:-?} executions in $(( $(date +%s) - start )) s" \
    "(${rate:-?} exec/s), corpus $(ls "$work" | wc -l) files" | tee -a "$BUILD/fuzz-stats.txt"
  if ls "$BUILD/artifacts/$name-"* >/dev/null 2>&1 || [ -z "$execs" ]; then
    echo "fuzz: $t found a crash (see $log): $(ls "$BUILD/artifacts/$name-"* 2>/dev/null)" >&2
    return 1
  fi
}

jobs_max=${FUZZ_JOBS:-1}
status=0
pids=()
for t in $targets; do
  fuzz_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs_max" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ $status -eq 0 ] && echo "fuzz: all targets ran clean"
exit $status
