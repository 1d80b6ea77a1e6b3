#!/usr/bin/env bash
# `rebalance estimate --save-fe / --save-fitted / --json / --force` on the
# Yotov et al. (2016) ch.1 app.1 sample, checked against identities that hold
# for any correct PPML fit, independently of the estimator's own code:
#  - the fitted rows are exactly the input's data rows selected by --where
#    (row = 1-based data row of the input file);
#  - PPML first-order conditions: with exporter-year (importer-year) fixed
#    effects, fitted values sum to the observed trade within every
#    exporter-year (importer-year) group. The gap is measured against the
#    sample's total trade (the scale of the Poisson score that the IRLS
#    deviance criterion controls), at 1e-9; per-group relative gaps of small
#    exporters (e.g. MWI, trade ~40 out of ~1e9) are not controlled by a
#    global convergence criterion;
#  - fitted = exp(x'b + exporter-year effect + importer-year effect) using the
#    saved coefficients and fixed effects;
#  - existing outputs are replaced only with --force.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data="$REBALANCE_DATA_DIR/yotov2016_agtpa/agtpa_applications.csv.gz"
args=(estimate "$data"
  -f 'trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year'
  --where 'exporter != importer && year in {1986,1990,1994,1998,2002,2006}'
  --vcov cluster:pair_id --threads 1
  --json "$tmp/r.json" --save-fe "$tmp/fe.csv" --save-fitted "$tmp/fit.csv")

"$REBALANCE" "${args[@]}" >"$tmp/stdout" 2>"$tmp/stderr"
# Progress goes to stderr (not --quiet), the table to stdout.
grep -q 'IRLS' "$tmp/stderr" || { echo "FAIL: no progress on stderr"; cat "$tmp/stderr"; exit 1; }
grep -q 'IRLS' "$tmp/stdout" && { echo "FAIL: progress on stdout"; exit 1; }

/usr/bin/python3 - "$data" "$tmp" <<'PY'
import csv, gzip, json, math, sys
from collections import defaultdict
data, tmp = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(gzip.open(data, "rt")))
r = json.load(open(tmp + "/r.json"))
beta = {c["name"]: c["estimate"] for c in r["coefficients"]}
years = {"1986", "1990", "1994", "1998", "2002", "2006"}
selected = [i + 1 for i, x in enumerate(rows) if x["exporter"] != x["importer"] and x["year"] in years]
fitted = {}
with open(tmp + "/fit.csv") as f:
    rd = csv.reader(f)
    assert next(rd) == ["row", "fitted"], "fitted header"
    for row, value in rd:
        fitted[int(row)] = float(value)
bad = []
if sorted(fitted) != selected:
    bad.append("fitted rows differ from the --where selection (%d vs %d rows)" % (len(fitted), len(selected)))
if not all(math.isfinite(v) and v > 0 for v in fitted.values()):
    bad.append("non-finite or non-positive fitted values")
# First-order conditions of PPML for the two fixed-effect dimensions.
total = sum(float(rows[i - 1]["trade"]) for i in selected)
for dim in ("exporter", "importer"):
    obs, fit = defaultdict(float), defaultdict(float)
    for i in selected:
        x = rows[i - 1]
        key = (x[dim], x["year"])
        obs[key] += float(x["trade"])
        fit[key] += fitted.get(i, 0.0)
    worst = max(abs(fit[k] - obs[k]) for k in obs) / total
    if worst > 1e-9:
        bad.append("%s-year sums of fitted != observed trade (worst gap %.3g of total trade)" % (dim, worst))
# Fixed effects: fitted == exp(x'b + fe_exporter^year + fe_importer^year).
fe = {}
with open(tmp + "/fe.csv") as f:
    rd = csv.reader(f)
    assert next(rd) == ["dimension", "label", "value"], "fe header"
    for dim, label, value in rd:
        fe[(dim, label)] = float(value)
if len(fe) != 2 * 69 * 6:
    bad.append("%d fixed-effect estimates, expected %d" % (len(fe), 2 * 69 * 6))
worst = 0.0
for i in selected:
    x = rows[i - 1]
    xb = (beta["log(dist)"] * math.log(float(x["dist"])) + beta["cntg"] * float(x["cntg"]) +
          beta["lang"] * float(x["lang"]) + beta["clny"] * float(x["clny"]))
    eta = xb + fe[("exporter^year", x["exporter"] + "^" + x["year"])] + fe[("importer^year", x["importer"] + "^" + x["year"])]
    worst = max(worst, abs(math.exp(eta) - fitted[i]) / fitted[i])
if worst > 1e-6:
    bad.append("exp(x'b + fixed effects) differs from the fitted values (worst relative gap %.3g)" % worst)
if bad:
    print("FAIL:\n  " + "\n  ".join(bad)); sys.exit(1)
print("ok: fitted rows, first-order conditions and fixed effects consistent")
PY

# Outputs exist now: a second run must refuse (exit 2, files untouched) ...
before=$(md5sum "$tmp/fit.csv")
rc=0
"$REBALANCE" "${args[@]}" --quiet >/dev/null 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] || { echo "FAIL: rerun without --force exited $rc"; exit 1; }
grep -q 'already exists; pass --force' "$tmp/err" || { echo "FAIL: message"; cat "$tmp/err"; exit 1; }
[[ "$(md5sum "$tmp/fit.csv")" == "$before" ]] || { echo "FAIL: fitted file changed"; exit 1; }
# ... and --force replaces them.
# --quiet prints nothing on stderr.
echo stale >"$tmp/fit.csv"
"$REBALANCE" "${args[@]}" --quiet --force >/dev/null 2>"$tmp/err"
[[ "$(md5sum "$tmp/fit.csv")" == "$before" ]] || { echo "FAIL: --force did not rewrite the same fitted values"; exit 1; }
[[ ! -s "$tmp/err" ]] || { echo "FAIL: --quiet wrote to stderr"; cat "$tmp/err"; exit 1; }
echo "ok: outputs, --force and --quiet"
