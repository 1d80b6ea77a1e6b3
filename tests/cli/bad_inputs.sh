#!/usr/bin/env bash
# The catalogue of bad inputs (tests/bad_inputs/cases.tsv): every case must
# fail with the expected exit code (never 0, never a crash or signal >= 128,
# never the 60 s timeout), print an error that contains the expected text and
# names the place (file:line[:col], option or key), print no NaN/Inf numbers,
# print exactly one "rebalance: error:" line, only printable UTF-8 and no
# runaway number (30+ digits), and leave nothing in its output path (no
# result, no *.tmp.* file).
# Placeholders made at run time (beside the ones cases.tsv lists):
#   {fifo}     a FIFO (named pipe) with no writer
#   {dirlink}  a symbolic link to a directory
#   {dangling} a symbolic link whose file has vanished
#   {truncated:PATH:N}               the first N bytes of PATH (same file name)
#   {truncated_in_copy:DIR:FILE:N}   a copy of DIR with FILE cut to N bytes
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
  mkdir -p "$out"  # an existing, empty output folder: a case must leave it empty
  args=${args//\{case\}/$cases/$name}
  args=${args//\{common\}/$cases/_common}
  args=${args//\{data\}/$REBALANCE_DATA_DIR}
  args=${args//\{src\}/$src}
  args=${args//\{out\}/$out}
  if [[ $args == *"{fifo}"* ]]; then mkfifo "$work/fifo"; args=${args//\{fifo\}/$work/fifo}; fi
  if [[ $args == *"{dirlink}"* ]]; then
    mkdir -p "$work/somedir"; ln -s "$work/somedir" "$work/dirlink"; args=${args//\{dirlink\}/$work/dirlink}
  fi
  if [[ $args == *"{dangling}"* ]]; then
    touch "$work/gone.csv"; ln -s "$work/gone.csv" "$work/dangling"; rm "$work/gone.csv"
    args=${args//\{dangling\}/$work/dangling}
  fi
  while [[ $args =~ \{truncated:([^:}]+):([0-9]+)\} ]]; do
    whole=${BASH_REMATCH[0]} from=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
    mkdir -p "$work/cut"; head -c "$n" "$from" >"$work/cut/$(basename "$from")"
    args=${args//"$whole"/$work/cut/$(basename "$from")}
  done
  while [[ $args =~ \{truncated_in_copy:([^:}]+):([^:}]+):([0-9]+)\} ]]; do
    whole=${BASH_REMATCH[0]} dir=${BASH_REMATCH[1]} file=${BASH_REMATCH[2]} n=${BASH_REMATCH[3]}
    copy=$work/copy/$(basename "$dir"); mkdir -p "$copy"; cp -r "$dir"/. "$copy"/; chmod -R u+w "$copy"
    head -c "$n" "$dir/$file" >"$copy/$file"
    args=${args//"$whole"/$copy}
  done
  eval "set -- $args"
  rc=0
  (cd "$work" && timeout 60 "$REBALANCE" "$@" >"$work/stdout" 2>"$work/err") || rc=$?
  if [[ $rc -eq 0 ]]; then fail "exit code 0 (expected $code)"; continue; fi
  if [[ $rc -eq 124 ]]; then fail "timed out after 60 s"; continue; fi
  if [[ $rc -ge 128 ]]; then fail "crashed (exit $rc)"; continue; fi
  if [[ $rc -ne $code ]]; then fail "exit code $rc, expected $code"; continue; fi
  if ! grep -qF -- "$message" "$work/err"; then fail "stderr lacks '$message'"; continue; fi
  if ! grep -qF -- "$place" "$work/err"; then fail "stderr does not name the place '$place'"; continue; fi
  errors=$(grep -cE '^rebalance: (internal )?error:' "$work/err")
  if [[ $errors -ne 1 ]]; then fail "expected one 'rebalance: error:' line, found $errors"; continue; fi
  if LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]' "$work/err"; then fail "unprintable bytes in stderr"; continue; fi
  if ! iconv -f UTF-8 -t UTF-8 "$work/err" >/dev/null 2>&1; then fail "stderr is not valid UTF-8"; continue; fi
  if grep -qE '[0-9]{30,}' "$work/err"; then fail "a runaway number in stderr"; continue; fi
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
