#!/usr/bin/env bash
# Issue 7 speed figures for `rebalance sweep` on the multi-sector model:
#  - 1,000 theta draws of a 41-region x 35-industry WIOD 2011 scenario
#    (a 25% US tariff on China in every industry) with 2 threads in one
#    process (target <= 60 s on 2 cores);
#  - the same with `mpirun -n 2` and 1 thread per rank (target: within 10%
#    of the 2-thread run), and a check that both give identical outputs.
# theta and its standard errors for the 35 industries come from
# `rebalance theta --se-from` with Caliendo & Parro's re-estimated
# elasticities (as scripts/make_world2011.sh does for world2011).
# Usage: bench/sweep_scaling.sh [DRAWS]   (default 1000); BUILD_DIR, REBALANCE_DATA_DIR
# Results: bench/out/sweep_scaling.txt
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
RB="$B/rebalance"
DATA=${REBALANCE_DATA_DIR:-../shared/data}
DRAWS=${1:-1000}
mkdir -p bench/out
tmp=${KEEP_TMP:-$(mktemp -d)}; [ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT; mkdir -p "$tmp"

"$RB" elasticity --cp-dir "$DATA/caliendo_parro2015/elasticity_estimation" --sample 99 \
  --out "$tmp/theta_cp.csv" --quiet
"$RB" theta "$DATA/caliendo_parro2015/original_matrices/T.txt" \
  --names "$DATA/caliendo_parro2015/tidy_paulofelipe_cp2015/sectors.txt" --se-from "$tmp/theta_cp.csv" \
  --concordance data/wiod35/theta_concordance.csv --out "$tmp/theta_se.csv" > /dev/null
cat > "$tmp/wiod_tariff.toml" <<EOF
title = "WIOD 2011, 41 regions x 35 industries: 25% US tariff on China"
[baseline]
wiod = "$(realpath "$DATA")/wiod2013_bquast/wiot2011.csv.gz"
theta = "$(realpath data/wiod35/theta.csv)"
[model]
type = "multisector"
[[scenario]]
name = "US tariff on China"
shocks = [ { tariff = { importer = "USA", exporter = "CHN", sectors = ["*"], add = 0.25 } } ]
EOF

report=bench/out/sweep_scaling.txt
: > "$report"
run() {  # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err"; exit 1; }
  read -r wall rss < "$tmp/time"
  echo "$label: ${wall} s wall, ${rss} KB peak RSS (per process)" | tee -a "$report"
}
echo "sweep: $DRAWS theta draws, WIOD 2011 41x35, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$report"
run "1 process, 2 threads" "$RB" sweep "$tmp/wiod_tariff.toml" --draws "$DRAWS" --theta "$tmp/theta_se.csv" \
  --seed 7 --threads 2 --quiet --out "$tmp/threads"
run "1 process, 1 thread " "$RB" sweep "$tmp/wiod_tariff.toml" --draws "$DRAWS" --theta "$tmp/theta_se.csv" \
  --seed 7 --threads 1 --quiet --out "$tmp/one"
if command -v mpirun > /dev/null; then
  run "mpirun -n 2, 1 thread each" mpirun -n 2 --oversubscribe --allow-run-as-root "$RB" sweep "$tmp/wiod_tariff.toml" \
    --draws "$DRAWS" --theta "$tmp/theta_se.csv" --seed 7 --threads 1 --quiet --out "$tmp/mpi"
  for f in "$tmp"/threads/*.csv; do
    cmp -s "$f" "$tmp/mpi/$(basename "$f")" || { echo "DIFFERENT: $(basename "$f") (threads vs mpi)" | tee -a "$report"; exit 1; }
  done
  echo "outputs identical between 2 threads and 2 ranks" | tee -a "$report"
fi
