#!/usr/bin/env bash
# Nothing lost: every command that writes files refuses to overwrite an
# existing output without --force, says so (naming the file and --force),
# exits non-zero, and writes nothing at all in that case: the existing files
# keep their bytes and modification times, and no other requested output
# appears. With --force the same command succeeds.
set -uo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
REBALANCE=$(realpath "$REBALANCE")
src=${REBALANCE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
common=$src/tests/bad_inputs/_common
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0

snapshot() { find "$@" -type f -printf '%p %s %T@\n' 2>/dev/null | sort; find "$@" -type f -exec md5sum {} + 2>/dev/null | sort; }

# check NAME OUTPUT_PATHS... -- ARGS...: runs ARGS once (must succeed), then
# again without --force (must fail and change nothing), then with --force.
check() {
  local name=$1; shift
  local paths=()
  while [[ $1 != -- ]]; do paths+=("$1"); shift; done
  shift
  rm -rf "${paths[@]}"
  if ! "$REBALANCE" "$@" >/dev/null 2>"$tmp/err"; then
    echo "FAIL [$name]: first run failed:"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  local before; before=$(snapshot "${paths[@]}")
  [[ -n $before ]] || { echo "FAIL [$name]: first run wrote nothing"; failures=$((failures + 1)); return; }
  sleep 0.05
  local rc=0
  "$REBALANCE" "$@" >/dev/null 2>"$tmp/err" || rc=$?
  if [[ $rc -eq 0 || $rc -ge 128 ]]; then
    echo "FAIL [$name]: second run without --force exited $rc"; failures=$((failures + 1)); return
  fi
  if ! grep -q -- "--force" "$tmp/err" || ! grep -q "already exists" "$tmp/err"; then
    echo "FAIL [$name]: message does not say the output exists and --force:"; cat "$tmp/err"
    failures=$((failures + 1)); return
  fi
  local after; after=$(snapshot "${paths[@]}")
  if [[ $before != "$after" ]]; then
    echo "FAIL [$name]: outputs changed without --force"; diff <(echo "$before") <(echo "$after") | head
    failures=$((failures + 1)); return
  fi
  if [[ -n $(find "${paths[@]}" -name '*.tmp.*' 2>/dev/null) ]]; then
    echo "FAIL [$name]: temporary files left"; failures=$((failures + 1)); return
  fi
  if ! "$REBALANCE" "$@" --force >/dev/null 2>"$tmp/err"; then
    echo "FAIL [$name]: run with --force failed:"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  # Numerical guards on the outputs: no NaN/Inf token in any file, and every
  # run record / estimate JSON carries its convergence status.
  local bad
  bad=$(grep -rliE '(^|[,:[ "])[-+]?(nan|inf|infinity)([],} "]|$)' "${paths[@]}" 2>/dev/null | head -3 || true)
  if [[ -n $bad ]]; then
    echo "FAIL [$name]: NaN/Inf in outputs: $bad"; failures=$((failures + 1)); return
  fi
  local f
  for f in $(find "${paths[@]}" -name '*.json' 2>/dev/null | grep -E 'run\.json$|/e\.json$' || true); do
    if ! grep -qE '"(termination|converged)"' "$f"; then
      echo "FAIL [$name]: $f has no convergence status"; failures=$((failures + 1)); return
    fi
  done
  echo "ok [$name]"
}

printf 'kind,from,to\ncountry,AAA,R1\ncountry,BBB,R1\n' >map.csv
printf 'title = "one"\n[baseline]\nbuiltin = "world2011"\n[[scenario]]\nname = "a"\nshocks = [ { tariff = { importer = "USA", exporter = "CHN", sectors = ["Transport equipment"], add = 0.1 } } ]\n' >one.toml
cp "$src/data/world2011/theta.csv" theta.csv
cp "$common/est.json" est.json

check estimate e.json fe.csv fitted.csv -- estimate "$common/panel.csv" -f 'y ~ x | id' -q \
  --json e.json --save-fe fe.csv --save-fitted fitted.csv
check diagnose diag -- diagnose --long "$common/long.csv" --out diag
check data_aggregate agg.csv -- data aggregate --long "$common/long.csv" --map map.csv --out agg.csv
check gravity grav -- gravity "$common/gravity.csv" --estimate est.json --set rta=1 --sigma 5 --reference DDD \
  --out grav --quiet
check simulate sim -- simulate --cp-tidy "$REBALANCE_DATA_DIR/caliendo_parro2015/tidy_paulofelipe_cp2015" \
  --tariff 'USA:Canada:*=+0.01' --out sim --quiet
check run runout -- run one.toml --out runout --no-html --quiet --data-dir "$src/data"
check sweep_grid sweepout -- sweep one.toml --grid tariff=0:0.1:0.1 --out sweepout --quiet --data-dir "$src/data"
check theta t.csv -- theta theta.csv --out t.csv

# One existing output among several requested: nothing new may appear.
rm -f e.json fe.csv fitted.csv
echo '{}' >e.json
rc=0
"$REBALANCE" estimate "$common/panel.csv" -f 'y ~ x | id' -q --json e.json --save-fe fe.csv >/dev/null 2>err || rc=$?
if [[ $rc -eq 0 || -e fe.csv || $(cat e.json) != '{}' ]]; then
  echo "FAIL [estimate partial]: exit $rc; fe.csv written or e.json changed"; failures=$((failures + 1))
else
  echo "ok [estimate partial]"
fi
rm -rf grav && mkdir grav && echo keep >grav/gravity_run.json
rc=0
"$REBALANCE" gravity "$common/gravity.csv" --estimate est.json --sigma 5 --reference DDD --out grav --quiet \
  >/dev/null 2>err || rc=$?
if [[ $rc -eq 0 || -e grav/gravity.csv || $(cat grav/gravity_run.json) != keep ]]; then
  echo "FAIL [gravity partial]: exit $rc; outputs written beside an existing one"; failures=$((failures + 1))
else
  echo "ok [gravity partial]"
fi

echo "force: $failures failures"
[[ $failures -eq 0 ]]
