#!/usr/bin/env bash
# `rebalance estimate` front door for issue #19: a fixest user's
# i(year, rta, ref = 1986) and a Stata user's --vcov robust; several models
# in one comparison table (two -f, sw(), csw()) written as text, CSV, LaTeX
# and Markdown with --etable; the field separator (--sep, detection).
# References: the i() model equals the same model with the dummy-times-rta
# columns written out by hand in the CSV (coefficients and standard errors to
# 1e-8 relative); each column of the comparison table equals the single-model
# run of its formula (to the table's 4 decimals); a ';' and a tab copy of a
# file give the same output as the ',' original.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
yotov="$REBALANCE_DATA_DIR/yotov2016_agtpa/agtpa_applications.csv.gz"
sample="$REBALANCE_DATA_DIR/gegravity_sample/sample_data_set.csv"
fail() { echo "FAIL: $*"; exit 1; }

# 1. i(year, rta, ref = 1986) with --vcov robust against hand-made columns.
/usr/bin/python3 - "$yotov" <<'PY'
import csv, gzip, sys
years = {"1986", "1990", "1994", "1998", "2002", "2006"}
with gzip.open(sys.argv[1], "rt") as f, open("panel.csv", "w", newline="") as out:
    r = csv.DictReader(f)
    w = csv.writer(out)
    w.writerow(["exporter", "importer", "year", "trade", "dist", "cntg", "rta"] +
               ["rta_%s" % y for y in sorted(years - {"1986"})])
    for row in r:
        if row["year"] not in years or row["exporter"] == row["importer"]:
            continue
        w.writerow([row[k] for k in ("exporter", "importer", "year", "trade", "dist", "cntg", "rta")] +
                   [row["rta"] if row["year"] == y else "0" for y in sorted(years - {"1986"})])
PY
fe='exporter^year + importer^year'
"$REBALANCE" estimate panel.csv -q --vcov robust --json i.json \
  -f "trade ~ log(dist) + cntg + i(year, rta, ref = 1986) | $fe" >i.txt
"$REBALANCE" estimate panel.csv -q --vcov hetero --json hand.json \
  -f "trade ~ log(dist) + cntg + rta_1990 + rta_1994 + rta_1998 + rta_2002 + rta_2006 | $fe" >/dev/null
head -1 i.txt | grep -q 'standard errors hetero (heteroskedasticity-robust)' ||
  fail "--vcov robust is not reported as the robust variance: $(head -1 i.txt)"
/usr/bin/python3 - <<'PY'
import json, sys
a, b = json.load(open("i.json")), json.load(open("hand.json"))
names = [c["name"] for c in a["coefficients"]]
want = ["log(dist)", "cntg"] + ["year::%d:rta" % y for y in (1990, 1994, 1998, 2002, 2006)]
bad = []
if names != want: bad.append("names %s, expected %s" % (names, want))
if a["vcov_type"] != "hetero": bad.append("vcov_type %s" % a["vcov_type"])
for x, y in zip(a["coefficients"], b["coefficients"]):
    for k in ("estimate", "std_error"):
        if abs(x[k] - y[k]) > 1e-8 * abs(y[k]):
            bad.append("%s %s: %r vs hand-made %r" % (x["name"], k, x[k], y[k]))
if a["nobs"] != b["nobs"]: bad.append("nobs differ")
if bad: print("FAIL:", "; ".join(bad)); sys.exit(1)
PY

# 2. Two -f: one comparison table; each column equals its single-model run.
f1='trade ~ lndist + contiguity | exporter + importer'
f2='trade ~ lndist + contiguity + pta + international | exporter + importer'
"$REBALANCE" estimate "$sample" -q -f "$f1" -f "$f2" --etable table.csv >two.txt
for f in table.txt table.tex table.md; do
  "$REBALANCE" estimate "$sample" -q -f "$f1" -f "$f2" --etable "$f" >/dev/null
done
"$REBALANCE" estimate "$sample" -q -f 'trade ~ lndist + contiguity + sw(pta, international) | exporter + importer' >sw.txt
"$REBALANCE" estimate "$sample" -q -f 'trade ~ lndist + contiguity | exporter + importer' \
  -f 'trade ~ lndist + contiguity + pta | exporter + importer' \
  -f 'trade ~ lndist + contiguity + international | exporter + importer' >three.txt
"$REBALANCE" estimate "$sample" -q -f 'trade ~ lndist + contiguity + csw(pta, international) | exporter + importer' >csw.txt
"$REBALANCE" estimate "$sample" -q -f 'trade ~ lndist + contiguity + pta | exporter + importer' \
  -f "$f2" >csw_by_hand.txt
"$REBALANCE" estimate "$sample" -q -f "$f1" --json m1.json >/dev/null
"$REBALANCE" estimate "$sample" -q -f "$f2" --json m2.json >/dev/null
cmp -s table.txt two.txt || fail "--etable table.txt differs from the table on stdout"
tail -n +2 three.txt | grep -q . || fail "no table for three models"
cmp -s csw.txt csw_by_hand.txt || fail "csw(pta, international) differs from the two formulas written out"
[[ $(head -1 sw.txt | wc -w) -eq 2 ]] || fail "sw(pta, international) does not give two models: $(head -1 sw.txt)"
/usr/bin/python3 - <<'PY'
import csv, json, sys
rows = list(csv.reader(open("table.csv")))
bad = []
if rows[0] != ["", "(1)", "(2)"]: bad.append("header %s" % rows[0])
cells = {r[0]: r[1:] for r in rows if r[0]}
for m, path in enumerate(("m1.json", "m2.json")):
    res = json.load(open(path))
    for c in res["coefficients"]:
        i = [r[0] for r in rows].index(c["name"])
        est, se = rows[i][1 + m], rows[i + 1][1 + m]
        if float(est.rstrip("*")) != round(c["estimate"], 4): bad.append("%s (%d): %s vs %r" % (c["name"], m + 1, est, c["estimate"]))
        if se != "(%.4f)" % c["std_error"]: bad.append("%s (%d) se: %s vs %r" % (c["name"], m + 1, se, c["std_error"]))
        p = c["p_value"]
        stars = "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""
        if not est.endswith(stars) or est.rstrip("*") + stars != est: bad.append("%s stars %s, p %g" % (c["name"], est, p))
    if cells["Observations"][m] != "{:,}".format(res["nobs"]): bad.append("observations %s" % cells["Observations"][m])
if cells["pta"][0] != "" or cells["exporter"] != ["Yes", "Yes"]: bad.append("pta/fixed-effect rows %s %s" % (cells["pta"], cells["exporter"]))
tex = open("table.tex").read()
if "\\begin{tabular}{lcc}" not in tex or "$^{***}$" not in tex: bad.append("LaTeX table")
md = open("table.md").read().splitlines()
if md[0] != "|  | (1) | (2) |" or md[1] != "|---|---:|---:|": bad.append("Markdown header %s" % md[:2])
if bad: print("FAIL:", "; ".join(bad)); sys.exit(1)
PY

# Several models and one-model outputs do not mix.
set +e
"$REBALANCE" estimate "$sample" -q -f "$f1" -f "$f2" --json x.json >/dev/null 2>err.txt
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "--json with two models: exit $rc, expected 2"
grep -q -- "--json writes one model's results, and the formulas give 2 models" err.txt || fail "message: $(cat err.txt)"
set +e
"$REBALANCE" estimate "$sample" -q -f "$f1" --etable t.pdf >/dev/null 2>err.txt
rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q '.txt, .csv, .tex or .md' err.txt || fail "--etable t.pdf: exit $rc, $(cat err.txt)"

# 3. Separators: ';' and tab copies read as the ',' original.
"$REBALANCE" estimate "$sample" -q -f "$f2" >comma.txt
tr ',' ';' <"$sample" >semi.csv
tr ',' '\t' <"$sample" >tab.tsv
"$REBALANCE" estimate semi.csv -q -f "$f2" >semi.txt
"$REBALANCE" estimate tab.tsv -q -f "$f2" --sep tab >tab.txt
"$REBALANCE" estimate semi.csv -q -f "$f2" --sep ';' >semi2.txt
cmp -s comma.txt semi.txt || fail "';' file (detected) differs from the ',' file"
cmp -s comma.txt semi2.txt || fail "';' file (--sep ';') differs from the ',' file"
cmp -s comma.txt tab.txt || fail "tab file differs from the ',' file"
set +e
"$REBALANCE" estimate semi.csv -q -f "$f2" --sep , >/dev/null 2>err.txt
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "--sep , on a ';' file: exit $rc, expected 2"
grep -q "semi.csv: line 1: the header .* has no ',' separator.*looks ';'-separated" err.txt ||
  fail "message for a ';' file read with ',': $(cat err.txt)"
echo "PASS"
