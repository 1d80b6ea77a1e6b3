#!/usr/bin/env bash
# Rebuilds the built-in baseline data/world2011/ from the WIOD 2013 release
# (year 2011) with rebalance's own commands. Inputs: ../shared/data (or
# $REBALANCE_DATA_DIR). Outputs (committed): world2011.csv.gz, theta.csv, theta_se.csv,
# data/wiod35/theta.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${REBALANCE_DATA_DIR:-../shared/data}
RB=${REBALANCE:-build/rebalance}
OUT=data/world2011
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# 41 WIOD regions x 35 industries -> 18 regions x 14 sectors (mapping.csv).
"$RB" data aggregate --wiod "$DATA/wiod2013_bquast/wiot2011.csv.gz" --map "$OUT/mapping.csv" \
  --out "$tmp/world2011.csv"
gzip -n -9 -c "$tmp/world2011.csv" > "$OUT/world2011.csv.gz"
# Caliendo & Parro (2015) trade elasticities (T.txt, their 20 tradable sectors in
# order; 8.22 for non-tradables) mapped by theta_concordance.csv (mean of theta).
"$RB" theta "$DATA/caliendo_parro2015/original_matrices/T.txt" \
  --names "$DATA/caliendo_parro2015/tidy_paulofelipe_cp2015/sectors.txt" \
  --concordance "$OUT/theta_concordance.csv" --out "$OUT/theta.csv" --force
echo "wrote $OUT/world2011.csv.gz and $OUT/theta.csv"
# The same elasticities for the 35 WIOD industries (c1..c35), for WIOD baselines.
"$RB" theta "$DATA/caliendo_parro2015/original_matrices/T.txt" \
  --names "$DATA/caliendo_parro2015/tidy_paulofelipe_cp2015/sectors.txt" \
  --concordance data/wiod35/theta_concordance.csv --out data/wiod35/theta.csv --force
# Standard errors for `rebalance sweep --draws N --theta data/world2011/theta_se.csv`: CP's
# tetrad regressions re-estimated by rebalance (99% sample, no dummies; docs/elasticity.md),
# with the same T.txt values as theta.csv. A standard error is kept only where T.txt holds its
# estimate: CP replaced their Auto and Other Transport estimates (1.84, 0.39) by 8.22, which has
# no standard error, so Transport equipment gets se 0 (`rebalance theta` prints a note).
"$RB" elasticity --cp-dir "$DATA/caliendo_parro2015/elasticity_estimation" --sample 99 \
  --out "$tmp/theta_cp.csv" --force --quiet
"$RB" theta "$DATA/caliendo_parro2015/original_matrices/T.txt" \
  --names "$DATA/caliendo_parro2015/tidy_paulofelipe_cp2015/sectors.txt" --se-from "$tmp/theta_cp.csv" \
  --concordance "$OUT/theta_concordance.csv" --out "$OUT/theta_se.csv" --force
echo "wrote $OUT/theta_se.csv"
