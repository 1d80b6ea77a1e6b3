#!/usr/bin/env bash
# rebalance simulate: clear errors for unknown labels (nearest name suggested), malformed shock
# flags, a missing baseline, a WIOD baseline without theta, and a sector without theta.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp="$REBALANCE_DATA_DIR/caliendo_parro2015/original_matrices"
expect_error() {  # expect_error <pattern> <args...>
  local pattern="$1"; shift
  local rc=0
  "$REBALANCE" simulate "$@" --out "$out/x" --force > /dev/null 2> "$out/err" || rc=$?
  if [ "$rc" -ne 2 ]; then echo "expected exit 2, got $rc for: $*"; cat "$out/err"; exit 1; fi
  grep -q -- "$pattern" "$out/err" || { echo "missing '$pattern' in:"; cat "$out/err"; exit 1; }
}
expect_error "unknown country 'Mexco' (did you mean 'Mexico'?)" --cp "$cp" --tariff 'USA:Mexco:*=+0.1'
expect_error "unknown sector 'Autos' (did you mean 'Auto'?)" --cp "$cp" --tariff 'USA:Mexico:Autos=+0.1'
expect_error "expected IMPORTER:EXPORTER:SECTOR=VALUE" --cp "$cp" --tariff 'USA:Mexico=0.1'
expect_error "is not a number" --cp "$cp" --productivity 'Mexico:Auto=abc'
expect_error "give exactly one baseline" --tariff 'USA:Mexico:*=0.1'
expect_error "--wiod needs --theta" --wiod "$REBALANCE_DATA_DIR/wiod2013_bquast/wiot2011.csv.gz"
printf 'sector,theta\nAgriculture,9.11\n' > "$out/theta.csv"
expect_error "no trade elasticity theta for sector 'Mining'" --cp "$cp" --theta "$out/theta.csv"
expect_error "not found" --cp /nonexistent
# An unknown sector lists the valid ones.
expect_error "unknown sector 'Shipbuilding'.*; valid sectors: 'Agriculture', 'Mining'" --cp "$cp" --tariff 'USA:Mexico:Shipbuilding=+0.1'
# WIOD codes c1..c35 are listed with their names.
expect_error "valid sectors: 'c1' (Agriculture, Hunting, Forestry and Fishing),.*'c15' (Transport Equipment)" \
  --wiod "$REBALANCE_DATA_DIR/wiod2013_bquast/wiot2011.csv.gz" --theta "$REBALANCE_SOURCE_DIR/data/wiod35/theta.csv" \
  --tariff 'USA:CHN:Shipbuilding=+0.25'
# Tariffs: a rate at or below -100% is refused (never floored, even from a zero base), beyond 200% needs --allow-extreme.
expect_error "--tariff 'USA:Mexico:Auto=-2': the tariff of 'USA' on 'Auto' from 'Mexico' would become" --cp "$cp" --tariff 'USA:Mexico:Auto=-2'
expect_error "at or below -100% is impossible" --cp "$cp" --tariff 'USA:Mexico:Auto=-2' --allow-extreme
expect_error "rates above 200% need --allow-extreme (add is in rate points" --cp "$cp" --tariff 'USA:Mexico:Auto=+100'
# A deficit target in an unnamed unit is refused.
expect_error "name the unit, e.g. China=-100:bn_usd" --cp "$cp" --deficit-target 'China=-100'
expect_error "unit 'level' (the baseline's own currency unit) is not accepted" --cp "$cp" --deficit-target 'China=-100:level'
# theta scaling: a factor must be > 0; a sector the baseline lacks names the flag.
expect_error "--scale-theta 'Auto=0': a factor on theta must be > 0 (theta > 0), got 0" --cp "$cp" --scale-theta 'Auto=0'
expect_error "--scale-theta 'Auto=-1': a factor on theta must be > 0" --cp "$cp" --scale-theta 'Auto=-1'
expect_error "--scale-theta 'Auto=x': 'x' is not a number" --cp "$cp" --scale-theta 'Auto=x'
expect_error "--scale-theta 'Autos=2'.*unknown sector 'Autos'" --cp "$cp" --scale-theta 'Autos=2'
echo ok
