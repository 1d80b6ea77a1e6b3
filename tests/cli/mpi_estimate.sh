#!/usr/bin/env bash
# Distributed PPML: `mpirun -n 2 rebalance estimate --distributed` equals the
# single-process estimate within 1e-10 (coefficients, standard errors,
# log-likelihood, deviance, dropped counts) on a generated gravity panel with
# (the single-process run with --eliminate-runs false: across processes the
# demeaning runs conjugate gradients on every dimension, and so does it; the
# default single-process path agrees to the demeaning tolerance, checked in
# src/econ/distributed_test.cc)
# fixed-effect separation, for iid, hetero and one-way clustered variance,
# from a plain and a gzip file, with string identifiers and a filter; each
# rank reads only its part of the rows (it says so on stderr); fixed effects
# and the fitted values gathered on rank 0 equal the single-process ones; an
# error in one rank's rows is reported once, naming the row of the file;
# multiway clusters are refused with a clear message.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
gen="${REBALANCE_BUILD_DIR:-$(dirname "$REBALANCE")}/bench/gravity_panel"
if [[ ! -x "$gen" ]]; then
  echo "FAIL: $gen not built (build target gravity_panel)"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$gen" --countries 60 --years 10 --seed 5 --out p.csv 2>/dev/null
f='y ~ x1 + x2 | exp_year + imp_year + pair'
if ! grep -q rebalance_mpi "$REBALANCE_BUILD_DIR/build.ninja" 2>/dev/null; then
  if "$REBALANCE" estimate p.csv -f "$f" --distributed --quiet 2> err.txt; then exit 1; fi
  grep -q "without MPI" err.txt
  echo "mpi_estimate: built without MPI; --distributed is refused"
  exit 0
fi
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cat > compare.py <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def close(x, y, what):
    if abs(x - y) > 1e-10 * max(1.0, abs(x)):
        sys.exit(f"{what}: single {x!r} vs distributed {y!r}")
assert len(a["coefficients"]) == len(b["coefficients"]) == 2
for ca, cb in zip(a["coefficients"], b["coefficients"]):
    assert ca["name"] == cb["name"]
    close(ca["estimate"], cb["estimate"], ca["name"] + " estimate")
    # SEs relative to their own size (they are far below 1).
    close(ca["std_error"] / ca["std_error"], cb["std_error"] / ca["std_error"], ca["name"] + " SE")
for k in ("loglik", "deviance"):
    close(a[k], b[k], k)
assert a["nobs"] == b["nobs"] and a["dropped"] == b["dropped"], (a["dropped"], b["dropped"])
assert a["converged"] and b["converged"] and a["vcov_type"] == b["vcov_type"]
PY
# $1 input, $2 formula, $3 vcov, rest: more options for both runs.
check() {
  local in="$1" form="$2" v="$3"
  shift 3
  "$REBALANCE" estimate "$in" -f "$form" --vcov "$v" --threads 1 --quiet --json one.json --force \
    --eliminate-runs false "$@" > /dev/null
  mpirun -n 2 --oversubscribe "$REBALANCE" estimate "$in" -f "$form" --vcov "$v" --threads 1 --quiet \
    --distributed --json two.json --force "$@" > /dev/null
  /usr/bin/python3 compare.py one.json two.json || { echo "FAIL: $in $form --vcov $v $*"; exit 1; }
}
for v in iid cluster:pair hetero; do
  check p.csv "$f" "$v"
done
gzip -k p.csv
check p.csv.gz "$f" cluster:pair
# String identifiers (a text copy of pair) and a filter.
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "pair_s"; next } { print $0, "p" ($6 * 7919 % 10007) }' p.csv > s.csv
check s.csv 'y ~ x1 + x2 | exp_year + imp_year + pair_s' cluster:pair_s --where 'exp_year != 3 && x1 > -2'

# Each rank reads its part of the rows, and the parts make up the file.
mpirun -n 2 --oversubscribe "$REBALANCE" estimate p.csv -f "$f" --threads 1 --distributed \
  --json two.json --force > /dev/null 2> log.txt
rows=$(($(wc -l < p.csv) - 1))
/usr/bin/python3 - "$rows" log.txt <<'PY'
import re, sys
rows = int(sys.argv[1])
got = {int(r): int(n) for r, n in re.findall(r"rank (\d) of 2 read (\d+) rows", open(sys.argv[2]).read())}
assert sorted(got) == [0, 1], f"expected a 'rank r of 2 read N rows' line per rank, got {got}"
assert sum(got.values()) == rows, f"the ranks read {got}, the file has {rows} data rows"
assert all(0 < n < rows for n in got.values()), f"a rank read every row: {got}"
PY

# Fixed effects and fitted values (gathered on rank 0, in row order).
"$REBALANCE" estimate p.csv -f "$f" --threads 1 --quiet --save-fe fe1.csv --save-fitted fit1.csv --force \
  --eliminate-runs false > /dev/null
mpirun -n 2 --oversubscribe "$REBALANCE" estimate p.csv -f "$f" --threads 1 --quiet --distributed \
  --save-fe fe2.csv --save-fitted fit2.csv --force > /dev/null
/usr/bin/python3 - <<'PY'
import csv, sys
for a, b, tol in (("fe1.csv", "fe2.csv", 1e-8), ("fit1.csv", "fit2.csv", 1e-10)):
    ra, rb = list(csv.reader(open(a))), list(csv.reader(open(b)))
    assert len(ra) == len(rb) and ra[0] == rb[0], (a, len(ra), len(rb))
    for x, y in zip(ra[1:], rb[1:]):
        assert x[:-1] == y[:-1], (a, x, y)
        u, v = float(x[-1]), float(y[-1])
        if abs(u - v) > tol * max(1.0, abs(u)):
            sys.exit(f"{a}: {x} vs {y}")
PY

# An error in rank 1's rows: reported once (by rank 0), naming the file's row.
awk -F, 'BEGIN { OFS = "," } NR == 30001 { $1 = -1 } { print }' p.csv > neg.csv
if "$REBALANCE" estimate neg.csv -f "$f" --quiet 2> err1.txt > /dev/null; then exit 1; fi
if mpirun -n 2 --oversubscribe "$REBALANCE" estimate neg.csv -f "$f" --distributed --quiet \
    2> err2.txt > /dev/null; then exit 1; fi
grep -q "row 30000: outcome 'y' is negative" err1.txt
[[ $(grep -c "rebalance: error" err2.txt) == 1 ]] || { cat err2.txt; exit 1; }
grep -q "row 30000: outcome 'y' is negative" err2.txt
# The panel must exercise separation, or the test proves less than it says.
/usr/bin/python3 -c "import json,sys; d=json.load(open('two.json'))['dropped']; sys.exit(0 if d['separated'] > 0 else 'no separated observations in the test panel')"
if mpirun -n 2 --oversubscribe "$REBALANCE" estimate p.csv -f "$f" --vcov cluster:exp_year+imp_year \
    --distributed --quiet 2> err.txt > /dev/null; then exit 1; fi
grep -q "multiway clustering is not available" err.txt
echo "mpi_estimate: 2 ranks equal 1 process within 1e-10"
