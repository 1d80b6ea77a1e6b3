#!/usr/bin/env bash
# rebalance simulate: CP's NAFTA experiment from the zero-deficit 1993 base year, from the matrix
# files and from the tidy files. Checks the published welfare table (CP 2015 section 5.1:
# ToT+VoT welfare Mexico 1.31, Canada -0.06, USA 0.08; real wage Mexico 1.72), the output files,
# atomic refusal to overwrite, and that both data sources give the same numbers.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_DATA_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp="$REBALANCE_DATA_DIR/caliendo_parro2015"
"$REBALANCE" simulate --cp "$cp/original_matrices" --zero-deficit-baseline --cp-nafta \
  --scenario nafta --out "$out/m" > "$out/stdout"
grep -q "counterfactual 'nafta': converged" "$out/stdout"
test -s "$out/m/multisector.csv"
test -s "$out/m/multisector.json"
grep -q '"termination": "converged"' "$out/m/multisector_run.json"
head -1 "$out/m/multisector.csv" | grep -q "^scenario,country,partner,sector,variable,unit,baseline,counterfactual,pct_change$"
# value <country> <variable> <column>: a country-level row of the tidy CSV.
value() {
  awk -F, -v c="$2" -v v="$3" -v col="$4" '$1=="nafta" && $2==c && $3=="" && $4=="" && $5==v {print $col}' "$1"
}
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
near "$(value "$out/m/multisector.csv" Mexico welfare_cp 8)" 1.31 0.005
near "$(value "$out/m/multisector.csv" Canada welfare_cp 8)" -0.06 0.005
near "$(value "$out/m/multisector.csv" USA welfare_cp 8)" 0.08 0.005
near "$(value "$out/m/multisector.csv" Mexico real_wage 9)" 1.72 0.005
# Refuses to overwrite without --force (exit 2), succeeds with it.
rc=0; "$REBALANCE" simulate --cp "$cp/original_matrices" --out "$out/m" --quiet 2> "$out/err" || rc=$?
test "$rc" -eq 2
grep -q -- "--force" "$out/err"
"$REBALANCE" simulate --cp "$cp/original_matrices" --zero-deficit-baseline --cp-nafta \
  --scenario nafta --out "$out/m" --force --quiet --no-bilateral
# The tidy files give the same welfare numbers (tariff_cfl = 2005 NAFTA tariffs).
"$REBALANCE" simulate --cp-tidy "$cp/tidy_paulofelipe_cp2015" --zero-deficit-baseline --cp-nafta \
  --scenario nafta --out "$out/t" --quiet --no-bilateral
for c in Canada Mexico USA; do
  near "$(value "$out/m/multisector.csv" $c welfare 9)" "$(value "$out/t/multisector.csv" $c welfare 9)" 1e-6
done
echo ok
