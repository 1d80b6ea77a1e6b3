#!/usr/bin/env bash
# The options registry across the front doors: docs/options.md is what
# `rebalance options --markdown` prints; a value out of range gets the
# registry's words on the CLI (under the flag) and in a scenario file's
# [solver] table (under the key), the same words python/tests/test_options.py
# checks in Python; options only the registry declared are reachable
# (--drop-singletons, [solver] max_iterations).
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

"$REBALANCE" options --markdown >options.md
diff -u "$REBALANCE_SOURCE_DIR/docs/options.md" options.md ||
  { echo "docs/options.md is not current: rebalance options --markdown > docs/options.md"; exit 1; }
"$REBALANCE" options >options.txt
grep -qF "drop_singletons (bool, default true), CLI --drop-singletons" options.txt

expect() {  # expect CODE MESSAGE -- ARGS...
  local code=$1 message=$2; shift 3
  local rc=0
  "$REBALANCE" "$@" >out.txt 2>err.txt || rc=$?
  if [[ $rc -ne $code ]]; then echo "FAIL: exit $rc (expected $code): $*"; cat err.txt; exit 1; fi
  grep -qF -- "$message" err.txt || { echo "FAIL: stderr lacks '$message': $*"; cat err.txt; exit 1; }
}

printf 'y,x,id\n1,0.5,a\n2,0.1,a\n0,0.7,b\n3,0.2,b\n1,0.9,c\n' >panel.csv
expect 2 "rebalance: error: --demean-tolerance: must be in (0, 1), got 2" -- \
  estimate panel.csv -f 'y ~ x | id' --demean-tolerance 2
expect 2 "rebalance: error: --tol: must be in (0, 1), got 2" -- estimate panel.csv -f 'y ~ x | id' --tol 2
expect 2 "rebalance: error: --drop-singletons: expected true or false, got 'maybe'" -- \
  estimate panel.csv -f 'y ~ x | id' --drop-singletons maybe
expect 2 "rebalance: error: --tolerance: must be > 0, got -1" -- \
  simulate --cp-tidy /nonexistent --tolerance -1 --out sim

cat >solver.toml <<'TOML'
[baseline]
builtin = "world2011"
[solver]
tolerance = -1
[[scenario]]
name = "none"
shocks = [{ tariff = { importer = "USA", exporter = "CHN", sectors = ["Agriculture"], add = 0.1 } }]
TOML
expect 2 "solver.toml:4:13: key 'solver.tolerance': must be > 0, got -1" -- run solver.toml --out run1
sed -i 's/^tolerance = -1$/tolrance = 1e-9/' solver.toml
expect 2 "key 'solver.tolrance': unknown key 'tolrance'" -- run solver.toml --out run2
grep -qF "did you mean 'tolerance'?" err.txt
# A [solver] setting reaches the solver: one iteration cannot calibrate the base year.
sed -i 's/^tolrance = 1e-9$/max_iterations = 1/' solver.toml
expect 3 "did not converge" -- run solver.toml --out run3 --no-html

# --drop-singletons false keeps the singleton group c (N = 5 instead of 4).
"$REBALANCE" estimate panel.csv -f 'y ~ x | id' -q --json kept.json --drop-singletons false
"$REBALANCE" estimate panel.csv -f 'y ~ x | id' -q --json dropped.json
/usr/bin/python3 - <<'PY'
import json
kept, dropped = json.load(open("kept.json")), json.load(open("dropped.json"))
assert kept["nobs"] == 5 and kept["dropped"]["singleton"] == 0, kept["nobs"]
assert dropped["nobs"] == 4 and dropped["dropped"]["singleton"] == 1, dropped["nobs"]
PY
echo "options: ok"
