#!/usr/bin/env bash
# Builds the synthetic structural-gravity panels of issue 2 into bench/out/
# (gitignored), so that rebalance, R's fixest and Stata's ppmlhdfe can be run
# on identical files:
#   bench/out/gravity_1m.csv   200 countries x 200 partners x 25 years        =  1,000,000 rows
#   bench/out/gravity_10m.csv  200 countries x 200 partners x 25 years x 10 sectors = 10,000,000 rows
# Columns: y,x1,x2,exp_year,imp_year,pair (+ exp_sec_year,imp_sec_year,pair_sec
# with sectors). True coefficients: x1 = -0.8, x2 = 0.4. The data-generating
# process is documented at the top of bench/gravity_panel_tool.cc.
#
# Usage:
#   bench/generate_panels.sh                 # both files, seed 20240601
#   SEED=7 bench/generate_panels.sh          # another draw
#   GZIP=1 bench/generate_panels.sh          # .csv.gz instead of .csv
#   BUILD_DIR=build-foo bench/generate_panels.sh
#
# Timing rebalance on them (wall time and peak memory of the whole process,
# reading included):
#   /usr/bin/time -v build/rebalance estimate bench/out/gravity_1m.csv \
#       -f 'y ~ x1 + x2 | exp_year + imp_year + pair' --threads 2 --quiet
#   /usr/bin/time -v build/rebalance estimate bench/out/gravity_10m.csv \
#       -f 'y ~ x1 + x2 | exp_year + imp_year + pair' --threads 2 --quiet
#
# The reference (issue 2) is R's fixest 0.12.2 with 2 threads:
#   Rscript -e '
#     library(data.table); library(fixest)
#     setFixest_nthreads(2); setDTthreads(2)
#     d <- fread("bench/out/gravity_1m.csv")
#     print(system.time(m <- fepois(y ~ x1 + x2 | exp_year + imp_year + pair, d)))
#     print(coef(m), digits = 12)'
# (and the same with gravity_10m.csv; peak memory with /usr/bin/time -v Rscript ...).
# Stata: import delimited using bench/out/gravity_1m.csv, clear
#        ppmlhdfe y x1 x2, absorb(exp_year imp_year pair)
# Compare coefficients to 1e-6 relative. Note that rebalance, fixest and
# ppmlhdfe drop the same separated observations here (pairs whose 25 flows are
# all zero), so N should agree too.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
SEED=${SEED:-20240601}
ext=csv
[[ "${GZIP:-0}" == 1 ]] && ext=csv.gz

gen="$BUILD_DIR/bench/gravity_panel"
if [[ ! -x "$gen" ]]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" --target gravity_panel
fi
mkdir -p bench/out
/usr/bin/time -f '  %e s, peak %M KB' "$gen" --countries 200 --years 25 --seed "$SEED" \
  --out "bench/out/gravity_1m.$ext"
/usr/bin/time -f '  %e s, peak %M KB' "$gen" --countries 200 --years 25 --sectors 10 --seed "$SEED" \
  --out "bench/out/gravity_10m.$ext"
ls -l bench/out/gravity_1m.$ext bench/out/gravity_10m.$ext
