#!/usr/bin/env bash
# rebalance simulate on a WIOD 2011 baseline with a theta file: a 25-point US tariff on China plus
# Chinese rebalancing to zero deficit. The run converges, world trade balances sum to zero, China's
# deficit ends at zero, and the US collects more tariff revenue.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
{ echo "sector,theta"; for k in $(seq 1 16); do echo "c$k,5"; done; for k in $(seq 17 35); do echo "c$k,8.22"; done; } > "$out/theta.csv"
"$REBALANCE" simulate --wiod "$REBALANCE_DATA_DIR/wiod2013_bquast/wiot2011.csv.gz" --theta "$out/theta.csv" \
  --tariff 'USA:CHN:*=+0.25' --deficit-target CHN=0 --scenario uschn --no-bilateral --out "$out/w" > "$out/stdout"
grep -q "counterfactual 'uschn': converged" "$out/stdout"
csv="$out/w/multisector.csv"
awk -F, '$2!="" && $3=="" && $4=="" && $5=="trade_balance" {s += $8; a += ($8 < 0 ? -$8 : $8)} END { exit !(s < 1e-9 * a && s > -1e-9 * a) }' "$csv"
awk -F, '$2=="CHN" && $3=="" && $4=="" && $5=="deficit" { d = $8 < 0 ? -$8 : $8; exit !(d < 1e-6) }' "$csv"
awk -F, '$2=="USA" && $3=="" && $4=="" && $5=="tariff_revenue" { exit !($8 > $7) }' "$csv"
echo ok
