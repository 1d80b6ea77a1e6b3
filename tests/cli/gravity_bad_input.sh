#!/usr/bin/env bash
# `rebalance gravity` on bad input: each case fails with a non-zero exit code
# and a message that says what is wrong; nothing is written.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0

expect_error() {
  local name=$1 message=$2
  shift 3
  local rc=0
  "$REBALANCE" gravity "$@" --out "$tmp/out_$name" --quiet >"$tmp/stdout" 2>"$tmp/err" || rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "FAIL [$name]: exit code 0"; failures=$((failures + 1)); return
  fi
  if ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL [$name]: stderr lacks '$message':"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  if [[ -e "$tmp/out_$name/gravity.csv" ]]; then
    echo "FAIL [$name]: wrote output"; failures=$((failures + 1)); return
  fi
  echo "ok [$name]"
}

# 3 countries, complete, with distance d and costs tb / tc.
cat > good.csv <<'CSV'
exporter,importer,trade,d,tb,tc
A,A,100,0,1,1
A,B,10,1,0.3,0.5
A,C,5,2,0.1,0.1
B,A,12,1,0.3,0.5
B,B,80,0,1,1
B,C,4,1,0.3,0.3
C,A,6,2,0.1,0.1
C,B,3,1,0.3,0.3
C,C,60,0,1,1
CSV
grep -v '^A,C,' good.csv > missing.csv
sed 's/^A,B,10,/A,B,-10,/' good.csv > negative.csv
sed 's/^B,B,80,/B,B,0,/' good.csv > nodomestic.csv
cat > est.json <<'JSON'
{"coefficients": [{"name": "d", "estimate": -1.0}],
 "vcov": {"names": ["d"], "matrix": [[0.01]]}, "converged": true}
JSON
cat > est_nc.json <<'JSON'
{"coefficients": [{"name": "d", "estimate": -1.0}], "converged": false}
JSON

expect_error incomplete "incomplete" -- missing.csv --cost-col tb --cost-cf-col tc --sigma 5 --reference A
expect_error negative "negative flow" -- negative.csv --cost-col tb --cost-cf-col tc --sigma 5 --reference A
expect_error nodomestic "B has no domestic sales" -- nodomestic.csv --cost-col tb --cost-cf-col tc --sigma 5 --reference A
expect_error sigma "--sigma: must be > 1, got 1" -- good.csv --cost-col tb --cost-cf-col tc --sigma 1 --reference A
expect_error reference "unknown reference country 'Q'" -- good.csv --cost-col tb --cost-cf-col tc --sigma 5 --reference Q
expect_error country "unknown country 'D'" -- good.csv --estimate est.json --set 'd=0:A-D' --sigma 5 --reference A
expect_error covariate "unknown covariate 'e'" -- good.csv --estimate est.json --set 'e=0' --sigma 5 --reference A
expect_error both "exactly one of --estimate" -- good.csv --estimate est.json --cost-col tb --sigma 5 --reference A
expect_error notconverged "did not converge" -- good.csv --estimate est_nc.json --set d=0 --sigma 5 --reference A
expect_error closure "--closure: must be one of ratio, additive, balanced, got 'fixed'" -- good.csv --cost-col tb --cost-cf-col tc --sigma 5 --reference A --closure fixed
expect_error column "trad" -- good.csv --flow trad --cost-col tb --cost-cf-col tc --sigma 5 --reference A

# --draws refuses an iid covariance, or one of unknown type, unless --allow-iid.
sed 's/"converged": true/"converged": true, "vcov_type": "iid"/' est.json > est_iid.json
sed 's/"converged": true/"converged": true, "vcov_type": "robust"/' est.json > est_robust.json
expect_error draws_iid "covariance of est_iid.json is 'iid'" -- good.csv --estimate est_iid.json --set d=0 --sigma 5 \
  --reference A --draws 4
expect_error draws_unknown "of unknown type" -- good.csv --estimate est.json --set d=0 --sigma 5 --reference A --draws 4
for f in iid robust; do
  extra=(); [[ $f == iid ]] && extra=(--allow-iid)
  "$REBALANCE" gravity good.csv --estimate est_$f.json --set d=0 --sigma 5 --reference A --draws 4 "${extra[@]}" \
    --out draws_$f 2> draws_$f.err > /dev/null
  want=$([[ $f == iid ]] && echo iid || echo hetero)
  /usr/bin/python3 -c "import json,sys; d=json.load(open('draws_$f/gravity_run.json'))['draws']; \
sys.exit(0 if d['vcov_type'] == '$want' and d['succeeded'] == 4 else 1)" \
    && grep -qF "V_hat $want of est_$f.json" draws_$f.err \
    || { echo "FAIL draws from $f: vcov not stated"; cat draws_$f.err; failures=$((failures + 1)); }
done

# A valid run for contrast.
"$REBALANCE" gravity good.csv --cost-col tb --cost-cf-col tc --sigma 5 --reference A --out ok --quiet
[[ -s ok/gravity.csv && -s ok/gravity.json && -s ok/gravity_run.json ]] || { echo "FAIL valid run"; failures=$((failures + 1)); }

[[ $failures -eq 0 ]] || { echo "$failures failure(s)"; exit 1; }
