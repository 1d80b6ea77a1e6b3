#!/usr/bin/env bash
# `rebalance elasticity`: CP (2015) thetas on the 99% sample reproduce the
# values CP's counterfactual code uses (T.txt, 2 decimals) for the sectors
# where T.txt holds the estimate; the mapped file has an se column; bad input
# (missing data directory, unknown sample, a sector with too few
# observations) fails with a message naming the problem.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
DATA=${REBALANCE_DATA_DIR:?data directory}
CP=$DATA/caliendo_parro2015
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

"$REBALANCE" elasticity --cp-dir "$CP/elasticity_estimation" --sample 99 --out "$tmp/theta_cp.csv" \
  --concordance "$ROOT/data/world2011/theta_concordance.csv" --mapped-out "$tmp/theta_se.csv" >"$tmp/stdout"
head -1 "$tmp/theta_cp.csv" | grep -qx 'sector,theta,se' || { echo "FAIL: header"; failures=$((failures + 1)); }
[[ $(wc -l <"$tmp/theta_cp.csv") -eq 21 ]] || { echo "FAIL: expected 20 sectors"; failures=$((failures + 1)); }
# Compare with T.txt at its printed precision (sectors 18, 19 are 8.22 there).
paste -d, <(tail -n +2 "$tmp/theta_cp.csv" | awk -F, '{print $(NF-1)}') "$CP/original_matrices/T.txt" |
  awk -F, 'NR != 18 && NR != 19 { d = $1 - $2; if (d < 0) d = -d; if (d > 0.005 + 1e-9) { print "FAIL: sector " NR ": " $1 " vs " $2; bad = 1 } }
           END { exit bad }' || failures=$((failures + 1))
grep -q '^Utilities and construction,8.22,0$' "$tmp/theta_se.csv" || { echo "FAIL: nontradable row"; failures=$((failures + 1)); }
[[ $(wc -l <"$tmp/theta_se.csv") -eq 15 ]] || { echo "FAIL: mapped rows"; failures=$((failures + 1)); }

expect_error() {
  local name=$1 message=$2
  shift 2
  local rc=0
  "$REBALANCE" elasticity "$@" --out "$tmp/out_$name.csv" --quiet >/dev/null 2>"$tmp/err" || rc=$?
  if [[ $rc -eq 0 ]]; then echo "FAIL [$name]: exit code 0"; failures=$((failures + 1)); return; fi
  if ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL [$name]: stderr lacks '$message':"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  if [[ -e "$tmp/out_$name.csv" ]]; then echo "FAIL [$name]: wrote output"; failures=$((failures + 1)); return; fi
  echo "ok [$name]"
}
expect_error missing_dir "DATA_OUT_99" --cp-dir "$tmp/nowhere" --sample 99 --names "$CP/tidy_paulofelipe_cp2015/sectors.txt"
expect_error bad_sample "--sample must be 100, 99 or 97.5" --cp-dir "$CP/elasticity_estimation" --sample 98
mkdir -p "$tmp/few"
printf '1,1.0,0.5\n1,2.0,0.7\n1,0.5,0.1\n2,1.0,0.5\n' | sed 's/$/,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,NaN/' | gzip >"$tmp/few/DATA_OUT_99.csv.gz"
expect_error few_obs "sector 2" --cp-dir "$tmp/few" --sample 99 --names "$CP/tidy_paulofelipe_cp2015/sectors.txt"

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all elasticity checks passed"
