#!/usr/bin/env bash
# `rebalance gravity` end to end on Yotov et al. (2016) ch. 2 application 1
# ("trade without borders"): estimate -> gravity with the book's method,
# draws reproducible across thread counts, refusal to overwrite without
# --force. The book's published table is asserted once, in C++
# (src/ge/gravity_published_test.cc); python/tests/test_gravity.py checks that
# this command's output equals the library's for both methods. Here: the
# book-method run writes the headline rows for all 69 countries, finite.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data="$REBALANCE_DATA_DIR/yotov2016_agtpa/ch2_app1_trade_without_border_2006.csv.gz"

"$REBALANCE" estimate "$data" -f 'trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer' \
  --json "$tmp/est.json" --quiet >"$tmp/table.txt"
# Robust (hetero) errors by default, as ppmlhdfe; `--vcov robust` is the same
# estimate; the table's first line names the variance.
head -1 "$tmp/table.txt" | grep -qF 'standard errors hetero (heteroskedasticity-robust)' ||
  { echo "FAIL: first line does not name the variance"; head -1 "$tmp/table.txt"; exit 1; }
for v in robust iid; do
  "$REBALANCE" estimate "$data" -f 'trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer' \
    --vcov $v --json "$tmp/est_$v.json" --quiet >/dev/null
done
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
d = {k: json.load(open("%s/%s.json" % (sys.argv[1], k))) for k in ("est", "est_robust", "est_iid")}
assert d["est"]["vcov_type"] == d["est_robust"]["vcov_type"] == "hetero", d["est"]["vcov_type"]
assert d["est"]["vcov"] == d["est_robust"]["vcov"] and d["est_iid"]["vcov_type"] == "iid"
se = {k: {c["name"]: c["std_error"] for c in v["coefficients"]} for k, v in d.items()}
# iid errors understate the border effect's uncertainty many times over.
assert se["est"]["INTL_BRDR"] > 5 * se["est_iid"]["INTL_BRDR"], se
print("ok [default vcov hetero; INTL_BRDR se %.4f robust, %.4f iid]" % (se["est"]["INTL_BRDR"], se["est_iid"]["INTL_BRDR"]))
PY
# Draws from iid errors only on request.
rc=0
"$REBALANCE" gravity "$data" --estimate "$tmp/est_iid.json" --set INTL_BRDR=0 --sigma 7 \
  --reference ZZZ --draws 4 --no-bilateral --out "$tmp/iid" --quiet 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -qF -- "--allow-iid" "$tmp/err" && [[ ! -e "$tmp/iid/gravity.csv" ]] ||
  { echo "FAIL iid draws not refused: rc=$rc"; cat "$tmp/err"; exit 1; }
echo "ok [iid draws refused]"

# The book's procedure: every country's headline rows are written and finite.
"$REBALANCE" gravity "$data" --estimate "$tmp/est.json" --set INTL_BRDR=0 --sigma 7 \
  --reference ZZZ --closure ratio --method yotov2016 --out "$tmp/book" --quiet
/usr/bin/python3 - "$tmp/book/gravity.csv" <<'PY'
import csv, sys
import math
variables = ("real_gdp_full", "exports_cond", "exports_full")
got = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["partner"] == "" and r["variable"] in variables:
        got[(r["country"], r["variable"])] = float(r["pct_change"])
countries = {c for c, _ in got}
bad = [(c, v) for c in countries for v in variables if not math.isfinite(got.get((c, v), math.nan))]
if len(countries) != 69 or bad or ("USA", "real_gdp_full") not in got:
    print("FAIL book method: %d countries, missing or not finite: %s" % (len(countries), bad[:5])); sys.exit(1)
print("ok [book method: 69 countries]")
PY

# Exact method with Monte Carlo draws: bands present, no failed draw, and the
# same bands with 1 and 2 threads.
for t in 1 2; do
  "$REBALANCE" gravity "$data" --estimate "$tmp/est.json" --set INTL_BRDR=0 --sigma 7 \
    --reference ZZZ --draws 40 --seed 5 --threads $t --no-bilateral --out "$tmp/mc$t" --quiet
done
cmp "$tmp/mc1/gravity.csv" "$tmp/mc2/gravity.csv" || { echo "FAIL draws depend on threads"; exit 1; }
head -1 "$tmp/mc1/gravity.csv" | grep -q 'mean,sd,p05,p50,p95' || { echo "FAIL no band columns"; exit 1; }
/usr/bin/python3 - "$tmp/mc1/gravity_run.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
assert run["draws"]["requested"] == 40 and run["draws"]["failed"] == 0, run["draws"]
assert run["draws"]["vcov_type"] == "hetero", run["draws"]
assert run["solves"]["full"]["termination"] == "converged"
print("ok [draws]")
PY

# Refuses to overwrite without --force (exit 2), succeeds with it.
rc=0
"$REBALANCE" gravity "$data" --estimate "$tmp/est.json" --set INTL_BRDR=0 --sigma 7 \
  --reference ZZZ --out "$tmp/book" --quiet 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q -- "--force" "$tmp/err" || { echo "FAIL overwrite: rc=$rc"; cat "$tmp/err"; exit 1; }
"$REBALANCE" gravity "$data" --estimate "$tmp/est.json" --set INTL_BRDR=0 --sigma 7 \
  --reference ZZZ --out "$tmp/book" --force --quiet
echo "ok [force]"
