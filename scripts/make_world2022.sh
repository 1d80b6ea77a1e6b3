#!/usr/bin/env bash
# Builds the built-in baseline data/world2022/ (a NOWCAST): the structure of world2011 (WIOD 2011,
# 18 regions x 14 sectors) updated with GRAS (`rebalance data update`) to 2022 totals:
# ADB MRIO 2022 sector summary (gross output, value added, final sales, own-economy sales) and
# bilateral goods trade split by BACI 2023 shares (scripts/world2022_targets.py says how).
# Inputs: ../shared/data (or $REBALANCE_DATA_DIR), data/world2011/world2011.csv.gz.
# Outputs (committed): world2022.csv.gz, targets.csv, update_report.json, provenance.txt,
# balance_check.csv (its trade balances beside BACI 2023 goods balances; scripts/world2022_balances.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export REBALANCE_DATA_DIR=${REBALANCE_DATA_DIR:-../shared/data}
RB=${REBALANCE:-build/rebalance}
OUT=data/world2022
mkdir -p "$OUT"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 scripts/world2022_targets.py "$OUT/targets.csv"
"$RB" data update --long data/world2011/world2011.csv.gz --targets "$OUT/targets.csv" \
  --out "$tmp/world2022.csv" --out-year 2022 --report "$OUT/update_report.json" --force \
  --max-iterations 30000 --keep-unconverged
gzip -n -9 -c "$tmp/world2022.csv" > "$OUT/world2022.csv.gz"
/usr/bin/python3 scripts/world2022_balances.py "$OUT/balance_check.csv"
bal=$(/usr/bin/python3 - "$OUT/balance_check.csv" <<'PY'
import sys
import pandas as pd
b = pd.read_csv(sys.argv[1], comment="#").set_index("region")
def f(x):
    return f"{x:+,.0f}"
print("; ".join(f"{r} {f(b.loc[r, 'nowcast_goods_balance_2022'])} vs {f(b.loc[r, 'baci_goods_balance_2023'])}"
                for r in ("CHN", "USA")))
d = b.goods_balance_difference.dropna().abs()
print(f"{d.median():,.0f}")
PY
)
bal_focus=$(echo "$bal" | sed -n 1p); bal_median=$(echo "$bal" | sed -n 2p)
# Back-casting errors of the method (scripts/backcast.sh; WIOD 2008 -> 2011 totals at 18 x 14, the issue's
# targets: output, value added, final demand by destination, goods trade).
bc=docs/backcast/world18x14_issue.md
vab=$(grep -E '^\| 2008 \| gras \|' "$bc" | awk -F'|' '{gsub(/ /,"",$7); print $7}')
vas=$(grep -E '^\| 2008 \| scaled \|' "$bc" | awk -F'|' '{gsub(/ /,"",$7); print $7}')
vau=$(grep -E '^\| 2008 \| unchanged \|' "$bc" | awk -F'|' '{gsub(/ /,"",$7); print $7}')
cells=$(grep -E '^\| 2008 \| gras \|' "$bc" | awk -F'|' '{gsub(/ /,"",$4); print $4}')
term=$(/usr/bin/python3 -c "import json; r=json.load(open('$OUT/update_report.json')); print(r['termination'], r['iterations'], 'sweeps; largest error of an exact target', '%.2g' % r['max_relative_error_exact'])")
cat > "$OUT/provenance.txt" <<TXT
world2022: NOWCAST, not an observed table. WIOD 2013 release, 2011 (world2011: 18 regions x 14 sectors)
updated with GRAS (rebalance data update, scripts/make_world2022.sh) to ADB MRIO 2022 totals by region and
sector (gross output, value added, final sales, own-economy sales; Asian Development Bank, Key Indicators
Database, MRIO 72 economies, via the sector summary of K. S. Reyes) and to bilateral goods trade split by
BACI HS22 2023 shares (CEPII) scaled to each exporter's 2022 goods exports; million current USD, 2022.
GRAS: ${term}. Back-casting the method (WIOD 2008 updated to 2011 totals vs the true 2011 table, 18 x 14):
cell error ${cells}, bilateral value-added balance error ${vab} (the 2008 table scaled: ${vas}, unchanged:
${vau}); docs/io_tables.md. Output, value added exact; final sales, own-economy sales, goods trade soft (5 %).
Its trade balances are not targets of the update: they follow from ADB 2022 exports by economy, BACI 2023 destination shares of
goods and WIOD 2011's structure (services; Taiwan, which BACI's 194 countries leave out). Goods balances, bn USD,
nowcast 2022 vs BACI 2023 between the 18 regions: ${bal_focus}; median gap ${bal_median} (data/world2022/balance_check.csv).
Services balances are checked against nothing: no balance-of-payments statistics are shipped.
TXT
echo "wrote $OUT/world2022.csv.gz, $OUT/targets.csv, $OUT/update_report.json, $OUT/provenance.txt, $OUT/balance_check.csv"
