#!/usr/bin/env bash
# Back-casting test of `rebalance data update` (GRAS) on WIOD: update 2005 and 2008 to the 2011
# totals a user would have and compare with the true 2011 table, against the old table scaled
# proportionally and unchanged. Writes docs/backcast/*.md, copies each table into docs/io_tables.md
# (between the `<!-- backcast:NAME -->` markers) and writes data/world2022/backcast.csv, the
# figures `rebalance run` reads to decide whether the briefing uses the world2022 nowcast.
#   1. issue targets, 41 countries x 35 sectors: gross output and value added by country-sector,
#      final demand by destination country, bilateral goods trade (c1-c16) by country pair;
#   2. the same at the 18 regions x 14 sectors of world2011 (the nowcast's level);
#   3. (commented out, slow) the world2022 recipe: output, value added, final sales by row,
#      own-country sales except EU and ROW, goods trade with relative_se 0.05, at 18 x 14.
# About 10-20 min on a loaded 2-core machine (GRAS at 41 x 35: 1,435 x 1,640 cells, 4,551 targets).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${REBALANCE_DATA_DIR:-../shared/data}
RB=${REBALANCE:-build/rebalance}
OUT=docs/backcast
mkdir -p "$OUT"
"$RB" data backcast --wiod "$DATA/wiod2013_bquast" --from 2005,2008 --to 2011 \
  --out "$OUT/wiod41x35_issue.md" --csv "$OUT/wiod41x35_issue.csv" --force
"$RB" data backcast --wiod "$DATA/wiod2013_bquast" --from 2005,2008 --to 2011 \
  --map data/world2011/mapping.csv --out "$OUT/world18x14_issue.md" \
  --csv data/world2022/backcast.csv --force
# Not run by default (soft targets converge slowly, > 15 min): the world2022 recipe.
# "$RB" data backcast --wiod "$DATA/wiod2013_bquast" --from 2005,2008 --to 2011 \
#   --map data/world2011/mapping.csv --recipe world2022 --trade-se 0.05 --max-iterations 100000 \
#   --out "$OUT/world18x14_world2022_recipe.md" --force
/usr/bin/python3 - docs/io_tables.md wiod41x35_issue world18x14_issue <<'PY'
import re, sys
doc, names = sys.argv[1], sys.argv[2:]
text = open(doc, encoding="utf-8").read()
for name in names:
    table = open(f"docs/backcast/{name}.md", encoding="utf-8").read().strip()
    begin, end = f"<!-- backcast:{name} -->", f"<!-- /backcast:{name} -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        sys.exit(f"{doc}: markers {begin} ... {end} not found")
    text = pattern.sub(lambda m: f"{begin}\n{table}\n{end}", text)
open(doc, "w", encoding="utf-8").write(text)
PY
echo "updated docs/io_tables.md and data/world2022/backcast.csv"
