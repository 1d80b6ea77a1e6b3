#!/usr/bin/env bash
# rebalance data info on each supported layout (format detected from the header).
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}" "${REBALANCE_SOURCE_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$REBALANCE" data info "$REBALANCE_DATA_DIR/wiod2013_bquast/wiot2011.csv.gz" > "$out/wiod"
grep -q "shape: 41 countries x 35 sectors = 1435 rows" "$out/wiod"
grep -q "year: 2011" "$out/wiod"
grep -q "warning: row_balance" "$out/wiod"
grep -q "warning: negative_final_demand: 6 " "$out/wiod"
"$REBALANCE" data info "$REBALANCE_DATA_DIR/decompr_leather_example/leather_icio.csv" > "$out/leather"
grep -q "shape: 3 countries x 3 sectors" "$out/leather"
grep -q "validation: no issues" "$out/leather"
"$REBALANCE" data info --icio "$REBALANCE_SOURCE_DIR/tests/golden/icio_small/icio_small.csv" > "$out/icio"
grep -q "6 categories: HFCE, NPISH, GGFC, GFCF, INVNT, DPABR" "$out/icio"
grep -q "validation: no issues" "$out/icio"
# A file that is none of the layouts.
printf 'a,b\n1,2\n' > "$out/bad.csv"
rc=0; "$REBALANCE" data info "$out/bad.csv" 2> "$out/err" || rc=$?
test "$rc" -eq 2
grep -q "cannot tell the table format" "$out/err"
echo ok
