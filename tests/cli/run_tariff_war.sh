#!/usr/bin/env bash
# End to end for the tariff-war model on world2023: `rebalance data world2023` rebuilds the
# committed baseline byte for byte; `rebalance run` on the paper's example files writes the tidy
# outputs with Table 1 case 1 of Ignatenko, Macedoni, Lashkaripour & Simonovska (2025) in them;
# world accounting holds (transfers sum to zero; US revenue > 0); bad input exits 2.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
src=$REBALANCE_SOURCE_DIR
"$REBALANCE" data world2023 --from "$REBALANCE_DATA_DIR/imls2025_liberation_day" --out "$out/w" > /dev/null
gzip -dc "$src/data/world2023/world2023.csv.gz" | cmp - "$out/w/world2023.csv"
cmp "$src/data/world2023/countries.csv" "$out/w/countries.csv"
cmp "$src/data/world2023/groups.csv" "$out/w/groups.csv"

"$REBALANCE" run "$src/examples/scenarios/liberation_day_income_tax.toml" --out "$out/r1" --quiet > "$out/stdout.txt"
for f in results.csv results.json run.json; do test -s "$out/r1/$f"; done
grep -q "USA: welfare +1.13%, employment +0.32%, consumer prices +12.8%, trade deficit -18.1%" "$out/stdout.txt"
/usr/bin/python3 - "$out/r1" <<'PY'
import csv, json, math, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/results.csv")))
def get(s, c, v, col="pct_change"):
    m = [r for r in rows if r["scenario"] == s and r["country"] == c and r["variable"] == v]
    assert len(m) == 1, (s, c, v, len(m))
    return float(m[0][col])
s = "USTR tariffs, no retaliation"
expect = {("USA", "welfare"): (1.13, 2), ("USA", "deficit"): (-18.1, 1), ("USA", "exports_gdp"): (-52.7, 1),
          ("USA", "imports_gdp"): (-43.6, 1), ("USA", "employment"): (0.32, 2), ("USA", "prices"): (12.8, 1),
          ("non-US", "welfare"): (-0.58, 2), ("non-US", "deficit"): (11.6, 1), ("non-US", "exports_gdp"): (-3.2, 1),
          ("non-US", "imports_gdp"): (-3.3, 1), ("non-US", "employment"): (-0.14, 2), ("non-US", "prices"): (-4.7, 1)}
for (c, v), (val, d) in expect.items():
    assert round(get(s, c, v), d) == val, (c, v, get(s, c, v))
# Budget of every country: E' = R + w L Y + T s, T = E - Y, s = world income' / world income
# (deficits scale with world income), from the written levels.
countries = {r["country"] for r in rows if r["variable"] == "wage"}  # groups have no wage rows
assert len(countries) == 194
inc0 = sum(get(s, c, "income", "baseline") for c in countries)
inc1 = sum(get(s, c, "income", "counterfactual") for c in countries)
for c in countries:
    e0, e1 = get(s, c, "expenditure", "baseline"), get(s, c, "expenditure", "counterfactual")
    y0, y1 = get(s, c, "income", "baseline"), get(s, c, "income", "counterfactual")
    r1 = get(s, c, "tariff_revenue", "counterfactual")
    assert abs(e1 - (r1 + y1 + (e0 - y0) * inc1 / inc0)) < 1e-8 * e0, c
assert get(s, "USA", "tariff_revenue", "counterfactual") > 0
assert get(s, "CHN", "tariff_revenue", "counterfactual") == 0
for r in rows:
    for c in ("baseline", "counterfactual"):
        assert math.isfinite(float(r[c])), r
meta = json.load(open(f"{out}/run.json"))
assert meta["model"] == "tariff_war" and "world2023" in meta["provenance"]["baseline"]
assert len(meta["groups"]["EU"]) == 25 and len(meta["scenarios"]) == 2
for sc in meta["scenarios"]:
    assert sc["termination"] == "converged" and sc["max_equation_error"] < 1e-8, sc
PY
"$REBALANCE" run "$src/examples/scenarios/regional_trade_wars_2025.toml" --out "$out/r2" --quiet > /dev/null
"$REBALANCE" run "$src/data/world2023/briefing.toml" --out "$out/r3" --quiet > /dev/null

# Bad input: exit 2 with the file, line and key.
printf '[baseline]\nbuiltin = "world2023"\n[model]\ntype = "tariff_war"\nrevenue = "rebate"\n[[scenario]]\nname = "a"\nshocks = [{ tariff = { importer = "USA", exporter = "CHN", set = 0.1 } }]\n' > "$out/bad.toml"
set +e
"$REBALANCE" run "$out/bad.toml" --out "$out/r4" --quiet 2> "$out/err.txt"
code=$?
set -e
test "$code" = 2
grep -q "bad.toml:5:11: key 'model.revenue': unknown revenue use 'rebate'" "$out/err.txt"
echo ok
