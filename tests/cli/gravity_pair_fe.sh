#!/usr/bin/env bash
# `rebalance gravity --pair-fe`: Yotov et al. (2016) ch.2 app.2 two-stage
# pair-fixed-effect costs on the agtpa panel, NAFTA's RTA removed for the 1994
# baseline. Self-consistency checks only (no published numbers available):
# the run converges, the run record holds both stages, the members lose real
# GDP, and a zero shock gives zero change. Bad option combinations fail.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
DATA=${REBALANCE_DATA_DIR:?data directory}
PANEL=$DATA/yotov2016_agtpa/agtpa_applications.csv.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
YEARS=1986,1990,1994,1998,2002,2006

"$REBALANCE" gravity "$PANEL" --pair-fe --panel-years $YEARS --baseline-year 1994 \
  --set-pairs 'rta=0:USA-CAN,USA-MEX,CAN-MEX' --sigma 7 --reference DEU --no-bilateral --out "$tmp/nafta" --quiet
grep -q '"pairs_predicted": 14' "$tmp/nafta/gravity_run.json" || { echo "FAIL: run record"; failures=$((failures + 1)); }
for c in USA CAN MEX; do
  awk -F, -v c=$c '$2 == c && $5 == "real_gdp_full" { if ($9 >= 0) exit 1; found = 1 } END { exit !found }' \
    "$tmp/nafta/gravity.csv" || { echo "FAIL: $c real GDP change not negative"; failures=$((failures + 1)); }
done
"$REBALANCE" gravity "$PANEL" --pair-fe --panel-years $YEARS --baseline-year 1994 \
  --sigma 7 --reference DEU --no-bilateral --out "$tmp/zero" --quiet
awk -F, 'NR > 1 && $5 ~ /_full$|_cond$/ { d = $9; if (d < 0) d = -d; if (d > 1e-8) { print "FAIL: zero shock " $0; bad = 1 } }
         END { exit bad }' "$tmp/zero/gravity.csv" || failures=$((failures + 1))

expect_error() {
  local name=$1 message=$2
  shift 2
  local rc=0
  "$REBALANCE" gravity "$PANEL" --pair-fe --sigma 7 --reference DEU "$@" --out "$tmp/out_$name" --quiet \
    >/dev/null 2>"$tmp/err" || rc=$?
  if [[ $rc -eq 0 ]]; then echo "FAIL [$name]: exit code 0"; failures=$((failures + 1)); return; fi
  if ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL [$name]: stderr lacks '$message':"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  echo "ok [$name]"
}
expect_error no_year "--pair-fe needs --baseline-year"
expect_error with_estimate "do not give --estimate" --estimate x.json --baseline-year 1994
expect_error year_not_in_panel "--baseline-year 1995 is not one of the panel years" --panel-years $YEARS --baseline-year 1995

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all gravity --pair-fe checks passed"
