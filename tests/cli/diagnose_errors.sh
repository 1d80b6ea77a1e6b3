#!/usr/bin/env bash
# rebalance diagnose: clear errors for bad options and inputs.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dir="$REBALANCE_DATA_DIR/wiod2013_bquast"
expect_error() {  # expect_error PATTERN ARGS...
  local pattern=$1; shift
  local rc=0
  "$REBALANCE" "$@" > /dev/null 2> "$out/err" || rc=$?
  if [ "$rc" -ne 2 ]; then echo "expected exit 2, got $rc for: $*"; cat "$out/err"; exit 1; fi
  grep -q -- "$pattern" "$out/err" || { echo "expected '$pattern' for: $*"; cat "$out/err"; exit 1; }
}
expect_error "not a year or a range" diagnose --wiod "$dir" --years 2011x --out "$out/a"
expect_error "no WIOD table for 1990" diagnose --wiod "$dir" --years 1990 --out "$out/b"
expect_error "exactly one input" diagnose --wiod "$dir" --decompr x.csv --out "$out/c"
printf 'kind,from,to\ncountry,CHN,ASIA\n' > "$out/map.csv"
expect_error "country labels unmapped" diagnose --wiod "$dir/wiot2011.csv.gz" --map "$out/map.csv" --out "$out/d"
expect_error "unknown output basis" diagnose --wiod "$dir/wiot2011.csv.gz" --output-basis gross --out "$out/e"
expect_error "rank-by: unknown ranking 'ratio' (expected excess_output or excess_output_dva)" \
  diagnose --wiod "$dir/wiot2011.csv.gz" --rank-by ratio --out "$out/e2"
expect_error "export_share_threshold must be in \[0, 1\]" \
  diagnose --wiod "$dir/wiot2011.csv.gz" --export-share-threshold 1.5 --out "$out/e3"
# WIOD 2002 has a zero-output sector with inputs (LVA_c24): an error when asked to be strict,
# a counted warning by default.
expect_error "LVA_c24" diagnose --wiod "$dir/wiot2002.csv.gz" --zero-output error --out "$out/f"
"$REBALANCE" diagnose --wiod "$dir/wiot2002.csv.gz" --out "$out/g" > /dev/null 2> "$out/err"
grep -q "warning: 2002: 1 sectors with zero output" "$out/err"
grep -q "zero_output_inputs_dropped" "$out/g/validation.csv"
echo ok
