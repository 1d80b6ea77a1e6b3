#!/usr/bin/env bash
# Rebuilds the built-in baseline data/world2023/ (194 countries, goods, 2023) from the input files
# of Ignatenko, Macedoni, Lashkaripour & Simonovska (2025) with `rebalance data world2023`.
# Inputs: ../shared/data/imls2025_liberation_day (or $REBALANCE_DATA_DIR). Outputs (committed):
# world2023.csv.gz, countries.csv, groups.csv. data/world2023/README.md describes them.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${REBALANCE_DATA_DIR:-../shared/data}
RB=${REBALANCE:-build/rebalance}
OUT=data/world2023
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$RB" data world2023 --from "$DATA/imls2025_liberation_day" --out "$tmp"
gzip -n -9 -c "$tmp/world2023.csv" > "$OUT/world2023.csv.gz"
cp "$tmp/countries.csv" "$tmp/groups.csv" "$OUT/"
echo "wrote $OUT/world2023.csv.gz, $OUT/countries.csv, $OUT/groups.csv"
