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
# Overcapacity: 1435 rows, manufacturing ranked first by output above domestic absorption (millions of
# USD), resources and services ranked separately; every _share column a fraction in [0, 1].
/usr/bin/python3 - "$out/d/overcapacity.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1435, len(rows)
assert all(r["year"] == "2011" for r in rows)
assert rows[0]["group"] == "manufacturing" and rows[0]["rank"] == "1", rows[0]
groups = {g: [r for r in rows if r["group"] == g] for g in ("manufacturing", "resources", "services")}
assert [len(v) for v in groups.values()] == [41 * 14, 41 * 2, 41 * 19]
for g, rs in groups.items():
    assert [int(r["rank"]) for r in rs] == list(range(1, len(rs) + 1)), g
    ex = [float(r["excess_output_musd"]) for r in rs]
    assert ex == sorted(ex, reverse=True), g
top10 = {(r["country"], r["sector"]) for r in groups["manufacturing"][:10]}
assert ("CHN", "c14") in top10 and ("CHN", "c4") in top10, top10
for r in rows:
    for k, v in r.items():
        if k.endswith("_share") and not k.startswith("d_") and v != "":
            assert 0.0 <= float(v) <= 1.0, (k, r)
PY
grep -q "Overcapacity, manufacturing (2011)" "$out/stdout" || { cat "$out/stdout"; exit 1; }
grep -q "resources ranked separately" "$out/stdout"
# No NaN / Inf in any output (as a field: sector names such as "Financial Intermediation" contain "nan").
if grep -qiE '(^|,)[-+]?(nan|inf)' "$out/d"/*.csv; then echo "NaN/Inf in output"; exit 1; fi
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['years'][0]['year']==2011" "$out/d/diagnose.json"
# Refuses to overwrite without --force; --force overwrites.
if "$REBALANCE" diagnose --wiod "$wiot" --out "$out/d" > /dev/null 2> "$out/err"; then
  echo "overwrote without --force"; exit 1
fi
grep -q -- "--force" "$out/err"
"$REBALANCE" diagnose --wiod "$wiot" --out "$out/d" --force > /dev/null
# One ranking over every sector, in domestic value added.
"$REBALANCE" diagnose --wiod "$wiot" --out "$out/d" --force --all-sectors --rank-by excess_output_dva > /dev/null
/usr/bin/python3 - "$out/d/overcapacity.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [int(r["rank"]) for r in rows] == list(range(1, 1436))
ex = [float(r["excess_output_dva_musd"]) for r in rows]
assert ex == sorted(ex, reverse=True)
assert rows[0]["group"] == "resources", rows[0]  # RoW mining: the largest excess of all
PY
echo ok
