#!/usr/bin/env bash
# MPI: `mpirun -n 2 rebalance sweep` gives exactly the single-process bands
# (same seed), and bad sweep inputs are refused with clear messages.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
/usr/bin/python3 - "$REBALANCE_SOURCE_DIR/data/world2011/theta.csv" > theta_se.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("sector,theta,se")
for r in rows:
    print(f"\"{r['sector']}\",{r['theta']},{0.15 * float(r['theta'])}")
PY
cat > s.toml <<EOF2
[baseline]
builtin = "world2011"
[[scenario]]
name = "EV tariff"
shocks = [ { tariff = { importer = "USA", exporter = "CHN", sectors = ["Transport equipment"], add = 1.0 } } ]
EOF2
"$REBALANCE" sweep s.toml --draws 12 --seed 11 --theta theta_se.csv --data-dir "$REBALANCE_SOURCE_DIR/data" \
  --out one --quiet --threads 2
# Bad inputs: a grid with no points, a negative standard error.
if "$REBALANCE" sweep s.toml --grid tariff=0:1:0 --out g 2> err.txt; then exit 1; fi
grep -q "no points" err.txt
sed 's/,\([0-9.]*\)$/,-\1/' theta_se.csv > neg.csv
if "$REBALANCE" sweep s.toml --draws 2 --theta neg.csv --out n --quiet 2> err.txt; then exit 1; fi
grep -q "neg.csv:2" err.txt
if ! grep -q rebalance_mpi "$REBALANCE_BUILD_DIR/build.ninja" 2>/dev/null; then
  echo "mpi_sweep: built without MPI; single-process checks only"
  exit 0
fi
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -n 2 --oversubscribe "$REBALANCE" sweep s.toml --draws 12 --seed 11 --theta theta_se.csv \
  --data-dir "$REBALANCE_SOURCE_DIR/data" --out two --quiet --threads 1
cmp one/results.csv two/results.csv
echo "mpi_sweep: 1 process and 2 ranks give identical bands"
