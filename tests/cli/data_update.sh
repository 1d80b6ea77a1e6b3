#!/usr/bin/env bash
# rebalance data update: a block target on WIOD 2011 at 3 regions x 2 sectors is met and the table
# reads back; conflicting targets exit 3 with the conflict in the report and no table; a bad
# targets file exits 2 naming file:line:column; the world2022 nowcast loads by name in `rebalance run`.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wiot="$REBALANCE_DATA_DIR/wiod2013_bquast/wiot2011.csv.gz"
{
  echo "kind,from,to"
  for c in CHN USA; do echo "country,$c,$c"; done
  for c in AUS AUT BEL BGR BRA CAN CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HUN IDN IND IRL ITA JPN KOR LTU LUX LVA MEX MLT NLD POL PRT ROM RUS SVK SVN SWE TUR TWN RoW; do
    echo "country,$c,ROW"; done
  for k in $(seq 1 16); do echo "sector,c$k,goods"; done
  for k in $(seq 17 35); do echo "sector,c$k,services"; done
} > "$out/map.csv"
"$REBALANCE" data aggregate --wiod "$wiot" --map "$out/map.csv" --out "$out/agg.csv" > /dev/null
cat > "$out/t.csv" <<'CSV'
kind,from_country,from_sector,to_country,to_column,value,unit,relative_se,group,name
block,CHN,goods,USA,*,0.5,billion_usd,,,goods CHN->USA
CSV
"$REBALANCE" data update --long "$out/agg.csv" --targets "$out/t.csv" --out "$out/u.csv" \
  --report "$out/r.json" --constraints-csv "$out/c.csv" > "$out/stdout"
grep -q "GRAS: converged" "$out/stdout"
/usr/bin/python3 - "$out" <<'PY'
import csv, json, sys
d = sys.argv[1]
r = json.load(open(f"{d}/r.json"))
assert r["termination"] == "converged", r["termination"]
assert abs(r["constraints"][0]["achieved"] - 500.0) < 1e-6, r["constraints"][0]
s = sum(float(x["value"]) for x in csv.DictReader(open(f"{d}/u.csv"))
        if x["from_country"] == "CHN" and x["from_sector"] == "goods" and x["to_country"] == "USA"
        and x["to_sector_or_category"] != "OUTPUT")
assert abs(s - 500.0) < 1e-6, s
PY
"$REBALANCE" diagnose --long "$out/u.csv" --out "$out/d" > /dev/null
# Conflict: a negative total for cells that are all positive.
cat > "$out/bad.csv" <<'CSV'
kind,from_country,from_sector,to_country,to_column,value,unit
output,CHN,goods,,,-5,million_usd
CSV
rc=0; "$REBALANCE" data update --long "$out/agg.csv" --targets "$out/bad.csv" --out "$out/v.csv" \
  --report "$out/rb.json" --max-iterations 5 > "$out/stdout2" 2> "$out/stderr2" || rc=$?
test "$rc" -eq 3
test ! -e "$out/v.csv"
grep -q "conflict (sign)" "$out/stdout2"
grep -q '"kind": "sign"' "$out/rb.json"
# Bad targets file: file, line and column.
printf 'kind,from_country,from_sector,to_country,to_column,value,unit\noutptu,CHN,goods,,,1,million_usd\n' > "$out/typo.csv"
rc=0; "$REBALANCE" data update --long "$out/agg.csv" --targets "$out/typo.csv" --out "$out/w.csv" 2> "$out/stderr3" || rc=$?
test "$rc" -eq 2
grep -q "typo.csv:2:1: unknown kind 'outptu'" "$out/stderr3"
# world2022 loads by name (the nowcast's provenance is printed with the results).
src=${REBALANCE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -f "$src/data/world2022/world2022.csv.gz" ]; then
  cat > "$out/w.toml" <<'TOML'
title = "world2022 smoke test"
[baseline]
builtin = "world2022"
[model]
type = "multisector"
[[scenario]]
name = "US tariffs on China"
shocks = [ { tariff = { importer = "USA", exporter = "CHN", sectors = ["Transport equipment"], add = 1.00 } } ]
TOML
  (cd "$out" && REBALANCE_HOME="$src" "$REBALANCE" run w.toml --out run2022 --quiet --no-html > run.txt)
  grep -rq "NOWCAST" "$out/run2022/" "$out/run.txt"
fi
echo ok
