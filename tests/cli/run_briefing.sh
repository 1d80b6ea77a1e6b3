#!/usr/bin/env bash
# End to end: `rebalance run` with no arguments (the default briefing: its
# multi-sector part on the world2022 nowcast, whose method passes the
# back-casting test in data/world2022/backcast.csv, stated in the terminal,
# run.json and the report), its invariants checked from results.csv, and the report checked
# in headless Chromium (charts rendered, tables sort, no console errors).
# Its 2023 part (data/world2023/briefing.toml, the IMLS 2025 tariff-war model
# on world2023) in rebalance-out/world2023/: the "Liberation Day tariffs"
# scenario is IMLS Table 1 case 1, whose published US numbers it must hold
# at the printed precision; the report and the terminal name both worlds.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"
"$REBALANCE" run --quiet > stdout.txt
test -f rebalance-out/report.html
for f in results.csv results.json run.json balances.csv overcapacity.csv; do test -s "rebalance-out/$f"; done
# Which world, why, and its back-casting errors, first.
grep -q "^Balanced growth briefing: world2022 (NOWCAST for 2022" stdout.txt
grep -q "Note: World of the multi-sector part: world2022 (NOWCAST for 2022, not an observed table.*million USD of 2022; its method passes the back-casting test (beats both naive alternatives on bilateral value-added balances): WIOD 2008 -> 2011 at 18 x 14: bilateral value-added balances [0-9.]* % off (old table scaled to world output [0-9.]* %, unchanged [0-9.]* %)" stdout.txt
grep -q "The observed world2011 stays available: rebalance run --world world2011" stdout.txt
grep -q "CHN–USA 2022: gross balance" stdout.txt
# The nowcast's trade balances are said not to be targets, with the goods cross-check against BACI 2023.
grep -q "Note: world2022's trade balances are not targets of the update: .* CHN [-+][0-9,]* vs [-+][0-9,]*; USA [-+][0-9,]* vs [-+][0-9,]*; median gap" stdout.txt
# Balances fixed by assumption are said to be; no "-0.00%"; the closure is stated.
grep -q "USA trade balance: held at -735.3 bn USD (assumption)." stdout.txt
grep -q "Numeraire: world nominal value added" stdout.txt
if grep -q -- "-0.00%" stdout.txt; then echo "a headline prints -0.00%" >&2; exit 1; fi
/usr/bin/python3 - rebalance-out <<'PY'
import csv, json, math, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/results.csv")))
scen = []
for r in rows:
    if r["scenario"] not in scen:
        scen.append(r["scenario"])
assert len(scen) == 9, scen
def total(s, var, col):
    return sum(float(r[col]) for r in rows if r["scenario"] == s and r["variable"] == var and not r["partner"] and not r["sector"])
for s in scen:
    gdp0, gdp1 = total(s, "value_added", "baseline"), total(s, "value_added", "counterfactual")
    # World GDP is the numeraire: unchanged to solver precision.
    assert abs(gdp1 / gdp0 - 1) < 1e-8, (s, gdp0, gdp1)
    tb = total(s, "trade_balance", "counterfactual")
    assert abs(tb) < 1e-8 * gdp0, (s, tb)
    tb0 = total(s, "trade_balance", "baseline")
    assert abs(tb0) < 1e-8 * gdp0, (s, tb0)
    for r in rows:
        if r["scenario"] == s:
            for c in ("baseline", "counterfactual", "pct_change"):
                v = r[c]
                assert v == "" or math.isfinite(float(v)), (s, r)
chn = [r for r in rows if r["scenario"] == scen[2] and r["country"] == "CHN" and r["variable"] == "trade_balance" and not r["sector"] and not r["partner"]]
assert len(chn) == 1 and abs(float(chn[0]["counterfactual"])) < 1e-6 * gdp0, chn
assert abs(float(chn[0]["baseline"])) > 1e4, chn  # China had a surplus to remove
# Scenario 4: both the US and China balanced.
for c in ("USA", "CHN"):
    r = [r for r in rows if r["scenario"] == scen[3] and r["country"] == c and r["variable"] == "trade_balance" and not r["sector"] and not r["partner"]]
    assert abs(float(r[0]["counterfactual"])) < 1e-6 * gdp0, r
# Scenario 1: US tariffs lower US imports from China in the three sectors.
for sec in ("Transport equipment", "Electrical and optical equipment", "Basic and fabricated metals"):
    r = [r for r in rows if r["scenario"] == scen[0] and r["country"] == "CHN" and r["partner"] == "USA" and r["sector"] == sec and r["variable"] == "exports"]
    assert len(r) == 1 and float(r[0]["pct_change"]) < -10, (sec, r)
def country_row(s, c, var):
    r = [r for r in rows if r["scenario"] == s and r["country"] == c and r["variable"] == var and not r["sector"] and not r["partner"]]
    assert len(r) == 1, (s, c, var)
    return float(r[0]["baseline"]), float(r[0]["counterfactual"])
# "halved": the balance is exactly half its base-year value.
for s, c in (("China's surplus halved", "CHN"), ("US deficit halved (fiscal consolidation)", "USA")):
    b0, b1 = country_row(s, c, "trade_balance")
    assert abs(b1 - 0.5 * b0) < 1e-9 * abs(b0), (s, b0, b1)
# Tariff scenarios hold every balance at its base-year value (the closure).
b0, b1 = country_row("US tariffs on China", "USA", "trade_balance")
assert abs(b1 - b0) < 1e-9 * abs(b0) and b0 < 0, (b0, b1)
# The US subsidy raises US output of the subsidised sectors and costs money.
for sec in ("Electrical and optical equipment", "Transport equipment"):
    r = [r for r in rows if r["scenario"] == "US production subsidy" and r["country"] == "USA" and r["sector"] == sec and r["variable"] == "gross_output"]
    assert len(r) == 1 and float(r[0]["pct_change"]) > 0, r
assert country_row("US production subsidy", "USA", "subsidy_cost")[1] > 0
# Export restrictions cut US exports of electronics to China.
r = [r for r in rows if r["scenario"] == "US export restrictions on electronics to China" and r["country"] == "USA" and r["partner"] == "CHN" and r["sector"] == "Electrical and optical equipment" and r["variable"] == "exports"]
assert len(r) == 1 and float(r[0]["pct_change"]) < -10, r
# Every row says its unit.
assert all(r["unit"] for r in rows), [r for r in rows if not r["unit"]][:3]
assert {r["unit"] for r in rows if r["variable"] == "gross_output"} == {"million USD"}
assert {r["unit"] for r in rows if r["variable"] == "tariff"} == {"rate (0.25 = 25%)"}
bal = list(csv.DictReader(open(f"{out}/balances.csv")))
assert bal and all(r["year"] == "2022" and r["unit"] == "million USD" for r in bal), bal[:2]
meta = json.load(open(f"{out}/run.json"))
prov = meta["provenance"]
assert prov["world"].startswith("world2022 (NOWCAST for 2022, not an observed table"), prov["world"]
assert "passes the back-casting test" in prov["nowcast back-casting errors"], prov
assert "bilateral value-added balances" in prov["nowcast back-casting errors"], prov
assert prov["baseline"].startswith("world2022: NOWCAST"), prov["baseline"]
assert any(n.startswith("World of the multi-sector part: world2022") for n in meta["notes"]), meta["notes"]
assert all(s["converged"] for s in meta["scenarios"]), meta["scenarios"]
for s in meta["scenarios"]:
    cl = s["closure"]
    assert "world nominal value added" in cl["numeraire"] and cl["held_fixed"] and cl["caveats"], s["name"]
    if "halved" in s["name"] or "rebalance" in s["name"]:
        assert any("static transfer" in c for c in cl["caveats"]), s["name"]
    if "subsidy" in s["name"]:
        assert any("theta" in c for c in cl["caveats"]), s["name"]
chn_sub = [s for s in meta["scenarios"] if s["name"] == "Chinese production subsidy"][0]
assert any("Electrical and optical equipment gross output" in h and "theta - 1 SE" in h for h in chn_sub["headlines"]), chn_sub["headlines"]
oc = list(csv.DictReader(open(f"{out}/overcapacity.csv")))
assert len(oc) == 18 * 14 and any(r["imbalance_share"] for r in oc)
# The imbalance-carried share is a fraction (<= 1) for every focus country; China's surplus carries a
# positive share of its electrical equipment output (other sectors, e.g. machinery, grow when it closes).
focus = ["USA", "CHN", "DEU", "JPN", "KOR", "EU", "MEX", "CAN", "IND", "ROW"]
for r in oc:
    if r["country"] in focus:
        assert r["imbalance_share"] != "" and float(r["imbalance_share"]) <= 1.0, r
chn_mfg = {r["sector"]: r for r in oc if r["country"] == "CHN" and r["group"] == "manufacturing"}
assert len(chn_mfg) == 9 and 0 < float(chn_mfg["Electrical and optical equipment"]["imbalance_share"]) < 1, chn_mfg
assert oc[0]["group"] == "manufacturing" and oc[0]["rank"] == "1", oc[0]
hl = " ".join(meta["diagnosis_headlines"])
assert "Overcapacity, CHN manufacturing 2022" in hl and "Mining" not in hl, hl
print("briefing invariants hold for", len(scen), "scenarios")
PY
# The 2023 part: its own folder, the 2011 files untouched by it.
for f in results.csv results.json run.json; do test -s "rebalance-out/world2023/$f"; done
grep -q "^2023: US tariffs" stdout.txt
grep -q "world: world2023 (BACI 2023 goods trade" stdout.txt
/usr/bin/python3 - rebalance-out "$REBALANCE_SOURCE_DIR/data/world2023/briefing.toml" <<'PY'
import csv, json, re, sys, tomllib
out, toml = sys.argv[1], sys.argv[2]
names = [s["name"] for s in tomllib.load(open(toml, "rb"))["scenario"]]
rows = list(csv.DictReader(open(f"{out}/world2023/results.csv")))
assert [s for s in dict.fromkeys(r["scenario"] for r in rows)] == names, names
assert not any(r["scenario"] in names for r in csv.DictReader(open(f"{out}/results.csv")))
meta = json.load(open(f"{out}/world2023/run.json"))
assert all(s["termination"] == "converged" for s in meta["scenarios"]), meta["scenarios"]
assert meta["scenario_file"] == "briefing.toml", meta["scenario_file"]
assert json.load(open(f"{out}/run.json"))["world2023"]["scenarios"] == len(names)
# IMLS (2025) Table 1, case 1 (USTR tariffs, income-tax relief, no retaliation): USA, printed precision.
case1 = "Liberation Day tariffs"
if case1 in names:
    def pct(var, who="USA"):
        r = [r for r in rows if r["scenario"] == case1 and r["country"] == who and r["variable"] == var]
        assert len(r) == 1, (var, who, r)
        return float(r[0]["pct_change"])
    published = {"welfare": (1.13, 2), "deficit": (-18.1, 1), "exports_gdp": (-52.7, 1), "imports_gdp": (-43.6, 1),
                 "employment": (0.32, 2), "prices": (12.8, 1)}
    for var, (value, digits) in published.items():
        assert round(pct(var), digits) == value, (var, pct(var), value)
    # non-US (expenditure-weighted), same table.
    for var, (value, digits) in {"welfare": (-0.58, 2), "deficit": (11.6, 1), "employment": (-0.14, 2),
                                 "prices": (-4.7, 1)}.items():
        assert round(pct(var, "non-US"), digits) == value, (var, pct(var, "non-US"), value)
    print("world2023: IMLS Table 1 case 1 reproduced at the printed precision")
# The report: the 2023 section with the case-1 US row as printed, and every section naming its world.
html = open(f"{out}/report.html", encoding="utf-8").read()
assert "2023: tariff war (world2023, IMLS 2025 model)" in html
sections = re.findall(r"<section id=\"section-\d+\">(.*?)</section>", html, re.S)
assert len(sections) >= 6, len(sections)
for sec in sections:
    title = re.search(r"<h2>(.*?)</h2>", sec).group(1)
    assert ("World: world2022 (NOWCAST for 2022" in sec) != ("World: world2023" in sec), title
    assert "World: world2011" not in sec, title
    if title.startswith("2023"):
        assert "World: world2023" in sec, title
if case1 in names:
    for cell in (">+1.13<", ">-18.1<", ">+0.32<", ">+12.8<"):
        assert cell in html, cell
assert "nowcast back-casting errors" in html and "passes the back-casting test" in html
print("report: both worlds named, one per section")
PY
# world2011 stays available by name: the same briefing on the observed 2011 table.
"$REBALANCE" run --world world2011 --no-2023 --no-html --draws 0 --quiet --out w2011 > w2011.txt
grep -q "^Balanced growth briefing: world2011 (WIOD 2013 release, year 2011)" w2011.txt
grep -q "CHN–USA 2011: gross balance" w2011.txt
grep -q "USA trade balance: held at -557.8 bn USD (assumption)." w2011.txt
if grep -q "world2022" w2011.txt; then echo "the world2011 briefing mentions world2022" >&2; exit 1; fi
if "$REBALANCE" run "$REBALANCE_SOURCE_DIR/data/world2011/briefing.toml" --world world2011 --out w3 2> w3.err; then
  echo "expected --world with a scenario file to be refused" >&2; exit 1; fi
grep -q -- "--world picks the default briefing" w3.err
# The report in a real browser (skipped only if the web assets are absent).
checker="$REBALANCE_SOURCE_DIR/report/web/check_report.mjs"
node "$checker" "$out/rebalance-out/report.html" "$REBALANCE_BUILD_DIR/briefing_report.png"
# A second run refuses to overwrite without --force, and writes nothing.
before=$(stat -c %Y rebalance-out/results.csv)
if "$REBALANCE" run --quiet 2> err.txt; then echo "expected a refusal" >&2; exit 1; fi
grep -q -- "--force" err.txt
test "$(stat -c %Y rebalance-out/results.csv)" = "$before"
echo "run_briefing: ok"
