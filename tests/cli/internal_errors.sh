#!/usr/bin/env bash
# Issue 15, the front door's last resort and "an existing output is unchanged":
#  1. an exception that escapes a command (injected with
#     REBALANCE_FAULT_INJECT=throw_after_writes:N, which makes the write after
#     the N-th throw) ends the command with exit code 70 and one line
#     "rebalance: internal error: ...", and the outputs this run had already
#     written are removed (no partial set of files);
#  2. a command that fails on bad input (truncated gzip, a directory, a FIFO,
#     a bad option) with --force leaves the outputs of an earlier run byte for
#     byte unchanged.
set -uo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
REBALANCE=$(realpath "$REBALANCE")
src=${REBALANCE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
common=$src/tests/bad_inputs/_common
cases=$src/tests/bad_inputs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
fail() { echo "FAIL [$1]: $2"; sed 's/^/    /' "$tmp/err" | head -5; failures=$((failures + 1)); }

# internal NAME N OUTDIR -- ARGS: the write after the N-th throws.
internal() {
  local name=$1 n=$2 out=$3; shift 4
  rc=0
  REBALANCE_FAULT_INJECT=throw_after_writes:$n "$REBALANCE" "$@" >/dev/null 2>"$tmp/err" || rc=$?
  if [[ $rc -ne 70 ]]; then fail "$name" "exit $rc, expected 70"; return; fi
  if [[ $(grep -c '^rebalance: internal error:' "$tmp/err") -ne 1 ]]; then fail "$name" "no one-line internal error"; return; fi
  if ! tail -1 "$tmp/err" | grep -q "^rebalance: internal error:"; then fail "$name" "the internal error is not the last line"; return; fi
  left=$(find "$out" -type f 2>/dev/null | head -3)
  if [[ -n $left ]]; then fail "$name" "partial outputs left: $left"; return; fi
  echo "ok [$name]: $(cat "$tmp/err" | head -c 150)"
}
internal diagnose_after_2_files 2 d -- diagnose --long "$common/long.csv" --out d
internal diagnose_first_file 0 d0 -- diagnose --long "$common/long.csv" --out d0
mkdir -p e
internal estimate_json 0 e -- estimate "$common/panel.csv" -f 'y ~ x | id' --json e/e.json -q
mkdir -p e2
internal estimate_second_file 1 e2 -- estimate "$common/panel.csv" -f 'y ~ x | id' --json e2/e.json --save-fe e2/fe.csv -q

# Existing outputs survive a failed --force run byte for byte.
mkdir -p keep
"$REBALANCE" estimate "$common/panel.csv" -f 'y ~ x | id' --json keep/e.json -q >/dev/null 2>&1 || fail setup "estimate failed"
"$REBALANCE" diagnose --long "$common/long.csv" --out keep/diag >/dev/null 2>&1 || fail setup "diagnose failed"
before=$(find keep -type f -exec md5sum {} + | sort)
mkfifo "$tmp/fifo"
run_bad() {
  local name=$1; shift
  rc=0
  "$REBALANCE" "$@" >/dev/null 2>"$tmp/err" || rc=$?
  if [[ $rc -ne 2 ]]; then fail "$name" "exit $rc, expected 2"; return; fi
  after=$(find keep -type f -exec md5sum {} + | sort)
  if [[ $before != "$after" ]]; then fail "$name" "an existing output changed"; return; fi
  echo "ok [$name] unchanged: $(head -c 120 "$tmp/err")"
}
run_bad est_truncated estimate "$cases/est_gzip_cut_at_line/data.csv.gz" -f 'y ~ x | id' --json keep/e.json --force -q
run_bad est_dir estimate "$cases/dir_as_input" -f 'y ~ x | id' --json keep/e.json --force -q
run_bad est_fifo estimate "$tmp/fifo" -f 'y ~ x | id' --json keep/e.json --force -q
run_bad est_option estimate "$common/panel.csv" -f 'y ~ x | id' --threads -1 --json keep/e.json --force -q
run_bad diag_truncated diagnose --long "$cases/diag_long_gzip_member_cut/long.csv.gz" --out keep/diag --force
run_bad diag_latin1 diagnose --long "$cases/diag_long_label_latin1/long.csv" --out keep/diag --force
echo "internal errors: $failures failures"
[[ $failures -eq 0 ]]
