#!/usr/bin/env bash
# Yotov, Piermartini, Monteiro & Larch (2016), "An Advanced Guide to Trade
# Policy Analysis", chapter 1, application 1 (Table 1, PPML column, p. 42),
# end to end through `rebalance estimate --json`:
#   years 1986, 1990, ..., 2006, international flows only; PPML of trade on
#   log(dist), cntg, lang, clny with exporter-year and importer-year fixed
#   effects, standard errors clustered by pair_id.
# Published: ln DIST -0.841 (0.032), CNTG 0.437 (0.083), LANG 0.247 (0.077),
# CLNY -0.222 (0.116), N = 28,152. Coefficients and standard errors are
# checked at the printed precision (|diff| <= 0.0005); z, p and the 95% CI
# must be consistent with estimate and standard error.
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
published = {"log(dist)": (-0.841, 0.032), "cntg": (0.437, 0.083), "lang": (0.247, 0.077),
             "clny": (-0.222, 0.116)}
bad = []
if r["converged"] is not True: bad.append("not converged")
if r["nobs"] != 28152: bad.append("nobs %r != 28152" % r["nobs"])
if r["vcov_type"] != "cluster:pair_id": bad.append("vcov_type %r" % r["vcov_type"])
for key in ("missing", "singleton", "separated"):
    if r["dropped"][key] != 0: bad.append("dropped.%s = %r (expected 0)" % (key, r["dropped"][key]))
coefs = {c["name"]: c for c in r["coefficients"]}
if list(coefs) != list(published): bad.append("coefficient names %r" % list(coefs))
for name, (value, pub_se) in published.items():
    c = coefs.get(name)
    if c is None: continue
    if abs(c["estimate"] - value) > 0.0005 + 1e-12:
        bad.append("%s = %.6f, published %.3f" % (name, c["estimate"], value))
    if abs(c["std_error"] - pub_se) > 0.0005 + 1e-12:
        bad.append("%s: std_error %.6f, published %.3f" % (name, c["std_error"], pub_se))
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
print("ok: Yotov et al. (2016) ch.1 app.1 coefficients, standard errors and N reproduced")
' "$tmp/out.json"
