#!/usr/bin/env bash
# Back-casting test of `rebalance data update` (GRAS) on WIOD: update 2005 and 2008 to the 2011
# totals a user would have and compare with the true 2011 table, against the old table scaled
# proportionally and unchanged. Writes docs/backcast/*.md (the tables quoted in docs/io_tables.md).
#   1. issue targets, 41 countries x 35 sectors: gross output and value added by country-sector,
#      final demand by destination country, bilateral goods trade (c1-c16) by country pair;
#   2. the same at the 18 regions x 14 sectors of world2011;
#   3. (commented out, slow) the world2022 recipe: output, value added, final sales by row,
#      own-country sales except EU and ROW, goods trade with relative_se 0.05, at 18 x 14.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${REBALANCE_DATA_DIR:-../shared/data}
RB=${REBALANCE:-build/rebalance}
OUT=docs/backcast
mkdir -p "$OUT"
"$RB" data backcast --wiod "$DATA/wiod2013_bquast" --from 2005,2008 --to 2011 \
  --out "$OUT/wiod41x35_issue.md" --force
"$RB" data backcast --wiod "$DATA/wiod2013_bquast" --from 2005,2008 --to 2011 \
  --map data/world2011/mapping.csv --out "$OUT/world18x14_issue.md" --force
# Not run by default (soft targets converge slowly, > 15 min): the world2022 recipe.
# "$RB" data backcast --wiod "$DATA/wiod2013_bquast" --from 2005,2008 --to 2011 \
#   --map data/world2011/mapping.csv --recipe world2022 --trade-se 0.05 --max-iterations 100000 \
#   --out "$OUT/world18x14_world2022_recipe.md" --force
