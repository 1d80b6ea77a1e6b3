#!/usr/bin/env bash
# Scenario language on world2011: tariffs beyond the bounds are refused naming the
# file, scenario and key (never floored), allow_extreme lets them through, sector
# synonyms resolve with a note, an unknown sector lists the valid names, and a
# deficit target needs its unit.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
scenario() {  # scenario <file> <shock>
  printf '[baseline]\nbuiltin = "world2011"\n[[scenario]]\nname = "s"\nshocks = [\n  %s,\n]\n' "$2" > "$1"
}
expect_error() {  # expect_error <file> <pattern>
  local rc=0
  "$REBALANCE" run "$1" --out "o-$1" --quiet --no-html > /dev/null 2> err.txt || rc=$?
  if [ "$rc" -ne 2 ]; then echo "expected exit 2, got $rc for $1"; cat err.txt; exit 1; fi
  grep -q -- "$2" err.txt || { echo "missing '$2' in:"; cat err.txt; exit 1; }
  test ! -e "o-$1/results.csv"
}
# A cut of 200 pp on a zero base is an error, not a no-op.
scenario cut.toml '{ tariff = { importer = "MEX", exporter = "USA", sectors = ["Agriculture"], add = -2.0 } }'
expect_error cut.toml "cut.toml: scenario 's': cut.toml:6:85: scenario 's', key 'scenario\[0\].shocks\[0\].tariff.add': the tariff of 'MEX' on 'Agriculture' from 'USA' would become -200% (from 0%, change -2); a rate at or below -100% is impossible"
# +10,000 pp needs allow_extreme.
scenario big.toml '{ tariff = { importer = "USA", exporter = "CHN", sectors = ["Agriculture"], add = 100 } }'
expect_error big.toml "would become 10000% (from 0%, change 100); rates above 200% need allow_extreme (add is in rate points"
scenario big_ok.toml '{ tariff = { importer = "USA", exporter = "CHN", sectors = ["Agriculture"], add = 100, allow_extreme = true } }'
"$REBALANCE" run big_ok.toml --out big_ok --quiet --no-html > /dev/null
# A small import subsidy also needs allow_extreme; then it runs.
scenario sub.toml '{ tariff = { importer = "USA", exporter = "CHN", sectors = ["Agriculture"], add = -0.1 } }'
expect_error sub.toml "a negative rate is an import subsidy"
# Synonyms resolve, with a note; an unknown sector lists the valid names.
scenario ev.toml '{ tariff = { importer = "USA", exporter = "CHN", sectors = ["EVs", "solar panels", "steel"], add = 0.5 } }'
"$REBALANCE" run ev.toml --out ev --quiet --no-html > ev.txt
grep -q "Note: ev.toml:6:.*: sector 'EVs' read as 'Transport equipment'" ev.txt
grep -q "sector 'solar panels' read as 'Electrical and optical equipment'" ev.txt
grep -q "sector 'steel' read as 'Basic and fabricated metals'" ev.txt
scenario ship.toml '{ tariff = { importer = "USA", exporter = "CHN", sectors = ["Shipbuilding"], add = 0.5 } }'
expect_error ship.toml "unknown sector 'Shipbuilding'; did you mean '.*'? Valid sectors: 'Agriculture', 'Mining', 'Food and beverages'"
# Deficit targets: a number needs a unit; bn_usd is billions.
scenario d.toml '{ deficit = { country = "CHN", target = -147.5 } }'
expect_error d.toml "key 'scenario\[0\].shocks\[0\].deficit.unit': target = -147.5 needs a unit"
scenario dbn.toml '{ deficit = { country = "CHN", target = -147.5, unit = "bn_usd" } }'
"$REBALANCE" run dbn.toml --out dbn --quiet --no-html > /dev/null
/usr/bin/python3 - dbn/results.csv <<'PY'
import csv, sys
r = [r for r in csv.DictReader(open(sys.argv[1])) if r["country"] == "CHN" and r["variable"] == "trade_balance" and not r["sector"] and not r["partner"]]
assert len(r) == 1 and abs(float(r[0]["counterfactual"]) / 147500 - 1) < 1e-9, r  # million USD, to solver precision
PY
echo "scenario_language: ok"
