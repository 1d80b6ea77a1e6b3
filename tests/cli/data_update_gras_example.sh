#!/usr/bin/env bash
# rebalance data update reproduces the published GRAS example of Temurshoev, Miller & Bouwmeester
# (2013), entered by hand in tests/golden/gras_tmb2013 (source: tests/golden/gras_jo2003/SOURCE.md):
#   1. run to convergence, the cells equal the printed solution to 1e-6 (the printed table is a
#      finite-iteration output 6.4e-7 from the exact solution; its columns miss their totals by
#      1.2e-6) and meet every total to 1e-9;
#   2. stopped after 11 sweeps (columns first, as TMB's algorithm), the cells equal the printed
#      digits to half a unit of the 9th decimal (5e-10);
#   3. targets already met leave the table unchanged (one sweep);
#   4. conflicting targets (column totals that no longer add up to the row totals) exit 3 with the
#      conflict named and no table written.
set -euo pipefail
: "${REBALANCE:?}"
src=${REBALANCE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fx="$src/tests/golden/gras_tmb2013"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$REBALANCE" data update --long "$fx/prior.csv" --targets "$fx/targets.csv" --out "$out/conv.csv" \
  --report "$out/conv.json" > "$out/conv.txt"
grep -q "GRAS: converged" "$out/conv.txt"
grep -q "rows sum to a negative number; their output is recorded as 0: T_taxes (-1)" "$out/conv.txt"

rc=0
"$REBALANCE" data update --long "$fx/prior.csv" --targets "$fx/targets.csv" --out "$out/it11.csv" \
  --max-iterations 11 --keep-unconverged > "$out/it11.txt" 2> "$out/it11.err" || rc=$?
test "$rc" -eq 3  # not converged: said so, table written on request
grep -q "NOT CONVERGED" "$out/it11.txt"

# Targets equal to the prior's own totals.
cat > "$out/met.csv" <<'CSV'
kind,from_country,from_sector,to_country,to_column,value,unit
output,T,goods,,,12,million_usd
output,T,services,,,19,million_usd
output,T,taxes,,,0,million_usd
intermediate_inputs,,,T,goods,7,million_usd
intermediate_inputs,,,T,services,12,million_usd
final_demand,,,T,consumption,15,million_usd
final_demand,,,T,net_exports,-3,million_usd
CSV
"$REBALANCE" data update --long "$fx/prior.csv" --targets "$out/met.csv" --out "$out/met_out.csv" \
  --report "$out/met.json" > "$out/met.txt"

# Conflict: the column totals add up to 41, the row totals to 40.
sed 's/^final_demand,,,T,consumption,17,/final_demand,,,T,consumption,18,/' "$fx/targets.csv" > "$out/bad.csv"
rc=0
"$REBALANCE" data update --long "$fx/prior.csv" --targets "$out/bad.csv" --out "$out/bad_out.csv" \
  --report "$out/bad.json" --max-iterations 100 > "$out/bad.txt" 2> "$out/bad.err" || rc=$?
test "$rc" -eq 3
test ! -e "$out/bad_out.csv"
grep -q "conflict (group_totals)" "$out/bad.txt"

/usr/bin/python3 - "$out" "$fx" <<'PY'
import csv, json, sys
out, fx = sys.argv[1], sys.argv[2]
rows, cols = ["goods", "services", "taxes"], ["goods", "services", "consumption", "net_exports"]
printed = [[8.424340881, 3.375237362, 5.200422021, -2.000000263],
           [3.000997078, 12.624763744, 10.374239178, 0],
           [-2.425339135, 0, 1.425339135, 0]]
def matrix(path):
    m = [[0.0] * 4 for _ in rows]
    for r in csv.DictReader(open(path)):
        if r["to_sector_or_category"] == "OUTPUT":
            continue
        m[rows.index(r["from_sector"])][cols.index(r["to_sector_or_category"])] = float(r["value"])
    return m
def gap(a, b):
    return max(abs(a[i][j] - b[i][j]) for i in range(3) for j in range(4))
conv = matrix(f"{out}/conv.csv")
assert gap(conv, printed) < 1e-6, (gap(conv, printed), conv)
u, v = [15, 26, -1], [9, 16, 17, -2]
assert max(abs(sum(conv[i]) - u[i]) for i in range(3)) < 1e-9, conv
assert max(abs(sum(conv[i][j] for i in range(3)) - v[j]) for j in range(4)) < 1e-9, conv
assert abs(conv[0][3] + 2) < 1e-9 and conv[1][3] == 0 and conv[2][1] == 0, conv  # zeros stay zero
it11 = matrix(f"{out}/it11.csv")
assert gap(it11, printed) <= 5e-10 + 1e-13, (gap(it11, printed), it11)
prior = matrix(f"{fx}/prior.csv")
met = json.load(open(f"{out}/met.json"))
assert met["termination"] == "converged" and met["iterations"] == 1, met["termination"]
assert gap(matrix(f"{out}/met_out.csv"), prior) < 1e-13, matrix(f"{out}/met_out.csv")
bad = json.load(open(f"{out}/bad.json"))
assert bad["termination"] == "conflicting", bad["termination"]
assert any(c["kind"] == "group_totals" and abs(abs(c["lhs"] - c["rhs"]) - 1) < 1e-9
           for c in bad["conflicts"]), bad["conflicts"]
print(f"TMB 2013 example: converged vs printed {gap(conv, printed):.2e}, "
      f"11 sweeps vs printed {gap(it11, printed):.2e}")
PY
echo ok
