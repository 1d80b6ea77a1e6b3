#!/usr/bin/env bash
# `rebalance estimate --json` end to end on Yotov, Piermartini, Monteiro &
# Larch (2016), "An Advanced Guide to Trade Policy Analysis", chapter 1,
# application 1 (years 1986, 1990, ..., 2006, international flows only; PPML
# of trade on log(dist), cntg, lang, clny with exporter-year and importer-year
# fixed effects, standard errors clustered by pair_id). Plumbing only: the
# published coefficients and standard errors are asserted once, in C++
# (src/econ/published_test.cc, Published.YotovChapter1Application1Ppml), and
# python/tests/test_estimate.py checks that this command's JSON equals the
# library's numbers. Here: the coefficient table on stdout, the JSON fields,
# N equal to the rows the --where filter keeps (counted here in Python from
# the CSV), nothing dropped, and z, p and the 95% CI consistent with estimate
# and standard error.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data="$REBALANCE_DATA_DIR/yotov2016_agtpa/agtpa_applications.csv.gz"

"$REBALANCE" estimate "$data" \
  -f 'trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year' \
  --where 'exporter != importer && year in {1986,1990,1994,1998,2002,2006}' \
  --vcov cluster:pair_id --json "$tmp/out.json" --quiet >"$tmp/stdout"

# The coefficient table is printed on stdout.
grep -q 'log(dist)' "$tmp/stdout" || { echo "FAIL: no coefficient table on stdout"; cat "$tmp/stdout"; exit 1; }

/usr/bin/python3 -c '
import json, math, sys
r = json.load(open(sys.argv[1]))
import csv, gzip
with gzip.open(sys.argv[2], "rt") as f:
    kept = sum(1 for row in csv.DictReader(f) if row["exporter"] != row["importer"]
               and row["year"] in ("1986", "1990", "1994", "1998", "2002", "2006"))
bad = []
if r["converged"] is not True: bad.append("not converged")
if r["nobs"] != kept: bad.append("nobs %r != %d rows kept by the filter" % (r["nobs"], kept))
if r["vcov_type"] != "cluster:pair_id": bad.append("vcov_type %r" % r["vcov_type"])
for key in ("missing", "singleton", "separated"):
    if r["dropped"][key] != 0: bad.append("dropped.%s = %r (expected 0)" % (key, r["dropped"][key]))
coefs = {c["name"]: c for c in r["coefficients"]}
if list(coefs) != ["log(dist)", "cntg", "lang", "clny"]: bad.append("coefficient names %r" % list(coefs))
for name, c in coefs.items():
    if not math.isfinite(c["estimate"]): bad.append("%s: estimate %r" % (name, c["estimate"]))
    # Internal consistency of the reported statistics.
    se = c["std_error"]
    if not (se > 0 and math.isfinite(se)): bad.append("%s: bad std_error %r" % (name, se)); continue
    if abs(c["z"] - c["estimate"] / se) > 1e-9 * max(1, abs(c["z"])): bad.append("%s: z != estimate/se" % name)
    p = math.erfc(abs(c["z"]) / math.sqrt(2))
    if abs(c["p_value"] - p) > 1e-9: bad.append("%s: p %.12g != %.12g" % (name, c["p_value"], p))
    for lim, sign in (("ci_low", -1), ("ci_high", 1)):
        want = c["estimate"] + sign * 1.959963984540054 * se
        if abs(c[lim] - want) > 1e-6 * se: bad.append("%s: %s %.9g != %.9g" % (name, lim, c[lim], want))
for key in ("loglik", "deviance"):
    if not math.isfinite(r[key]): bad.append("%s not finite" % key)
if bad:
    print("FAIL:\n  " + "\n  ".join(bad)); sys.exit(1)
print("ok: Yotov et al. (2016) ch.1 app.1 through the CLI: N, fields and statistics consistent")
' "$tmp/out.json" "$data"
