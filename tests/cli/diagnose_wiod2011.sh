#!/usr/bin/env bash
# rebalance diagnose on WIOD 2011: outputs written, summary printed, identities in the CSVs,
# refusal to overwrite without --force, no NaN/Inf anywhere.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wiot="$REBALANCE_DATA_DIR/wiod2013_bquast/wiot2011.csv.gz"

"$REBALANCE" diagnose --wiod "$wiot" --out "$out/d" --top 3 > "$out/stdout"
grep -q "CHN–USA 2011: gross balance" "$out/stdout" || { cat "$out/stdout"; echo "no CHN-USA line"; exit 1; }
for f in balances.csv kww.csv tiva.csv overcapacity.csv overcapacity_panel.csv validation.csv diagnose.json; do
  test -s "$out/d/$f" || { echo "missing $f"; exit 1; }
done
# 41 x 40 ordered pairs.
test "$(tail -n +2 "$out/d/balances.csv" | wc -l)" -eq 1640
# Value-added balances sum to zero; each country's VA balance equals its gross balance.
awk -F, 'NR > 1 { va += $9; g[$2] += $6; v[$2] += $9; tot += $4 }
  END {
    if (va < -1e-6 * tot || va > 1e-6 * tot) { print "VA balances sum to " va; exit 1 }
    for (c in g) { d = g[c] - v[c]; if (d < 0) d = -d; if (d > 1e-6 * tot) { print c, g[c], v[c]; exit 1 } }
  }' "$out/d/balances.csv"
# KWW: nine terms sum to gross exports.
awk -F, 'NR > 1 { s = 0; for (i = 4; i <= 12; i++) s += $i; d = s - $3; if (d < 0) d = -d;
  if (d > 1e-8 * $3) { print "KWW terms", $2, s, $3; exit 1 } }' "$out/d/kww.csv"
# Overcapacity table ranked 1..1435.
test "$(tail -n +2 "$out/d/overcapacity.csv" | wc -l)" -eq 1435
test "$(sed -n 2p "$out/d/overcapacity.csv" | cut -d, -f1)" = 1
# No NaN / Inf in any output.
if grep -qiE 'nan|inf' "$out/d"/*.csv; then echo "NaN/Inf in output"; exit 1; fi
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['years'][0]['year']==2011" "$out/d/diagnose.json"
# Refuses to overwrite without --force; --force overwrites.
if "$REBALANCE" diagnose --wiod "$wiot" --out "$out/d" > /dev/null 2> "$out/err"; then
  echo "overwrote without --force"; exit 1
fi
grep -q -- "--force" "$out/err"
"$REBALANCE" diagnose --wiod "$wiot" --out "$out/d" --force > /dev/null
echo ok
