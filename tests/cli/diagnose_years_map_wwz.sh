#!/usr/bin/env bash
# rebalance diagnose over three WIOD years, aggregated by a mapping, with the WWZ decomposition.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dir="$REBALANCE_DATA_DIR/wiod2013_bquast"
# Countries: CHN, USA, DEU kept, EU members -> EU, others -> ROW; sectors: c1-c16 goods, others services.
{
  echo "kind,from,to"
  for c in CHN USA DEU; do echo "country,$c,$c"; done
  for c in AUT BEL BGR CYP CZE DNK ESP EST FIN FRA GBR GRC HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROM SVK SVN SWE; do
    echo "country,$c,EU"; done
  for c in AUS BRA CAN IDN IND JPN KOR MEX RUS TUR TWN RoW; do echo "country,$c,ROW"; done
  for k in $(seq 1 16); do echo "sector,c$k,goods"; done
  for k in $(seq 17 35); do echo "sector,c$k,services"; done
} > "$out/map.csv"
"$REBALANCE" diagnose --wiod "$dir" --years 2009-2011 --map "$out/map.csv" --wwz --out "$out/d" > "$out/stdout"
grep -q "CHN–USA 2011" "$out/stdout"
grep -q "changes since 2009" "$out/stdout"
# 3 years x 5 x 4 pairs.
test "$(tail -n +2 "$out/d/balances.csv" | wc -l)" -eq 60
# WWZ: 3 years x 5 x 4 pairs x 2 sectors; the 16 terms sum to gross exports of each row.
test "$(tail -n +2 "$out/d/wwz.csv" | wc -l)" -eq 120
awk -F, 'NR > 1 { s = 0; for (i = 6; i <= 21; i++) s += $i; d = s - $5; if (d < 0) d = -d;
  if (d > 1e-8 * ($5 > 1 ? $5 : 1)) { print "WWZ terms", $0; exit 1 } }' "$out/d/wwz.csv"
# Changes over the years are filled for every row; the imbalance column (GE hook) is empty, never NaN;
# sectors named "goods" and "services" by the mapping are unclassified and ranked together.
/usr/bin/python3 - "$out/d/overcapacity.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 10, len(rows)
for r in rows:
    assert r["d_self_sufficiency_ratio"] != "" and r["d_excess_output_musd"] != "", r
    assert r["imbalance_share"] == "", r
    assert r["group"] == "unclassified" and r["first_year"] == "2009", r
assert [int(r["rank"]) for r in rows] == list(range(1, 11))
PY
echo ok
