#!/usr/bin/env bash
# Distributed PPML: `mpirun -n 2 rebalance estimate --distributed` equals the
# single-process estimate within 1e-10 (coefficients, standard errors,
# log-likelihood, deviance, dropped counts) on a generated gravity panel with
# fixed-effect separation, for iid and one-way clustered variance; refused
# options (multiway clusters, --save-fitted) fail with a clear message.
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
for v in iid cluster:pair hetero; do
  "$REBALANCE" estimate p.csv -f "$f" --vcov "$v" --threads 1 --quiet --json one.json --force > /dev/null
  mpirun -n 2 --oversubscribe "$REBALANCE" estimate p.csv -f "$f" --vcov "$v" --threads 1 --quiet \
    --distributed --json two.json --force > /dev/null
  /usr/bin/python3 - one.json two.json <<'PY'
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
done
# The panel must exercise separation, or the test proves less than it says.
/usr/bin/python3 -c "import json,sys; d=json.load(open('two.json'))['dropped']; sys.exit(0 if d['separated'] > 0 else 'no separated observations in the test panel')"
if mpirun -n 2 --oversubscribe "$REBALANCE" estimate p.csv -f "$f" --vcov cluster:exp_year+imp_year \
    --distributed --quiet 2> err.txt > /dev/null; then exit 1; fi
grep -q "multiway clustering is not available" err.txt
if mpirun -n 2 --oversubscribe "$REBALANCE" estimate p.csv -f "$f" --distributed --quiet \
    --save-fitted fit.csv 2> err.txt > /dev/null; then exit 1; fi
grep -q "save-fitted" err.txt
echo "mpi_estimate: 2 ranks equal 1 process within 1e-10"
