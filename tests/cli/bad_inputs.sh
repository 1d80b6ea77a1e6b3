#!/usr/bin/env bash
# The catalogue of bad inputs (tests/bad_inputs/cases.tsv): every case must
# fail with the expected exit code (never 0, never a crash or signal >= 128,
# never the 60 s timeout), print an error that contains the expected text and
# names the place (file:line[:col], option or key), print no NaN/Inf numbers,
# and leave nothing in its output path (no result, no *.tmp.* file).
#   REBALANCE=build/rebalance REBALANCE_DATA_DIR=../shared/data tests/cli/bad_inputs.sh [NAME_REGEX]
set -uo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
REBALANCE=$(realpath "$REBALANCE")
src=${REBALANCE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cases=$src/tests/bad_inputs
filter=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
count=0
touch "$tmp/start"

fail() { echo "FAIL [$name]: $*"; sed 's/^/    /' "$work/err" | head -20; failures=$((failures + 1)); }

while IFS=$'\t' read -r name args code message place; do
  [[ -z $name || $name == \#* ]] && continue
  [[ -n $filter && ! $name =~ $filter ]] && continue
  count=$((count + 1))
  work=$tmp/$name
  mkdir -p "$work"
  out=$work/out
  args=${args//\{case\}/$cases/$name}
  args=${args//\{common\}/$cases/_common}
  args=${args//\{data\}/$REBALANCE_DATA_DIR}
  args=${args//\{src\}/$src}
  args=${args//\{out\}/$out}
  eval "set -- $args"
  rc=0
  (cd "$work" && timeout 60 "$REBALANCE" "$@" >"$work/stdout" 2>"$work/err") || rc=$?
  if [[ $rc -eq 0 ]]; then fail "exit code 0 (expected $code)"; continue; fi
  if [[ $rc -eq 124 ]]; then fail "timed out after 60 s"; continue; fi
  if [[ $rc -ge 128 ]]; then fail "crashed (exit $rc)"; continue; fi
  if [[ $rc -ne $code ]]; then fail "exit code $rc, expected $code"; continue; fi
  if ! grep -qF -- "$message" "$work/err"; then fail "stderr lacks '$message'"; continue; fi
  if ! grep -qF -- "$place" "$work/err"; then fail "stderr does not name the place '$place'"; continue; fi
  if grep -qiE '(^|[^[:alnum:]_'"'"'"])[-+]?(nan|inf|infinity)([^[:alnum:]_'"'"'"]|$)' "$work/stdout" "$work/err"; then
    fail "NaN/Inf printed:"; grep -iE 'nan|inf' "$work/stdout" "$work/err" | head -3; continue
  fi
  if [[ -e $out ]] && [[ -n $(find "$out" -type f | head -1) ]]; then
    fail "left files in the output path: $(find "$out" -type f | head -5 | tr '\n' ' ')"; continue
  fi
  leftovers=$(find "$work" -name '*.tmp.*' | head -3)
  if [[ -n $leftovers ]]; then fail "left temporary files: $leftovers"; continue; fi
  echo "ok [$name] exit $rc: $(head -c 160 "$work/err" | tr '\n' ' ')"
done <"$cases/cases.tsv"

# No case may have written into the catalogue itself.
stray=$(find "$cases" -newer "$tmp/start" | head -5)
if [[ -n $stray ]]; then echo "FAIL: files written into the catalogue: $stray"; failures=$((failures + 1)); fi
echo "bad inputs: $count cases, $failures failures"
[[ $count -ge 1 ]] || { echo "no cases ran"; exit 1; }
[[ $failures -eq 0 ]]
