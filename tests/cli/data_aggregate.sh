#!/usr/bin/env bash
# rebalance data aggregate: WIOD 2011 to 3 regions x 2 sectors in the long format; the result is
# read back by `data info --long` and `diagnose --long`, and totals are preserved.
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
head -1 "$out/agg.csv" | grep -q "from_country,from_sector,to_country,to_sector_or_category,value"
"$REBALANCE" data info --long "$out/agg.csv" > "$out/info_agg"
grep -q "shape: 3 countries x 2 sectors = 6 rows" "$out/info_agg"
"$REBALANCE" data info "$wiot" > "$out/info_full"
# Totals (gross output, intermediate use, final demand, value added) are unchanged.
diff <(grep '^totals' "$out/info_full") <(grep '^totals' "$out/info_agg")
# Refuses to overwrite without --force.
rc=0; "$REBALANCE" data aggregate --wiod "$wiot" --map "$out/map.csv" --out "$out/agg.csv" 2> /dev/null || rc=$?
test "$rc" -eq 2
"$REBALANCE" diagnose --long "$out/agg.csv" --out "$out/d" > "$out/stdout"
grep -q "CHN–USA" "$out/stdout"
echo ok
