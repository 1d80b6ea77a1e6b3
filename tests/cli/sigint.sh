#!/usr/bin/env bash
# Nothing lost on Ctrl-C: a long `rebalance sweep` / `rebalance run` that gets
# SIGINT stops within seconds (the scenario loops and the sweep's draw loop
# poll the interrupt flag), exits 130 with a message, and leaves no result
# and no *.tmp.* file in its output folder. A second SIGINT quits at once.
set -uo pipefail
: "${REBALANCE:?path of the rebalance binary}"
REBALANCE=$(realpath "$REBALANCE")
src=${REBALANCE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
# sector,theta,se from the built-in theta file (se = 10% of theta).
awk -F, 'NR == 1 {print "sector,theta,se"; next} {printf "%s,%s,%g\n", $1, $2, 0.1 * $2}' \
  "$src/data/world2011/theta.csv" >theta_se.csv

# interrupt NAME DELAY SIGNALS OUT -- ARGS...: starts ARGS, sends SIGNALS
# SIGINTs DELAY seconds later (20 ms apart), checks the exit.
interrupt() {
  local name=$1 delay=$2 signals=$3 out=$4
  shift 5
  rm -rf "$out"
  "$REBALANCE" "$@" >"$tmp/stdout" 2>"$tmp/err" &
  local pid=$!
  sleep "$delay"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "FAIL [$name]: finished before the interrupt (make the job longer)"; cat "$tmp/err"
    failures=$((failures + 1)); return
  fi
  local t0=$SECONDS
  for ((k = 0; k < signals; ++k)); do
    if ! kill -INT "$pid" 2>/dev/null; then
      # Finished between the check and the signal: complete outputs, no test.
      wait "$pid"; echo "skip [$name]: finished before the interrupt"; return
    fi
    sleep 0.02
  done
  # Wait at most 60 s for the exit.
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 600)); do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    echo "FAIL [$name]: still running 60 s after SIGINT"; kill -KILL "$pid"; failures=$((failures + 1)); return
  fi
  local rc=0
  wait "$pid" || rc=$?
  if [[ $rc -eq 0 ]] && grep -q "outputs were complete" "$tmp/err"; then
    # The signal landed while the (atomic) outputs were being written: every
    # file must be complete and no temporary file left.
    if [[ -n $(find "$out" "$tmp" -name '*.tmp.*' | head -1) ]]; then
      echo "FAIL [$name]: temporary files left"; failures=$((failures + 1)); return
    fi
    echo "ok [$name]: finished its outputs before the interrupt took effect"; return
  fi
  if [[ $rc -ne 130 ]]; then
    echo "FAIL [$name]: exit code $rc, expected 130"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  if ! grep -q "interrupted" "$tmp/err"; then
    echo "FAIL [$name]: no 'interrupted' message"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  local files
  files=$(find "$out" -type f 2>/dev/null | head -5 || true)
  if [[ -n $files ]]; then
    echo "FAIL [$name]: files left in $out: $files"; failures=$((failures + 1)); return
  fi
  if [[ -n $(find "$tmp" -name '*.tmp.*' | head -1) ]]; then
    echo "FAIL [$name]: temporary files left"; failures=$((failures + 1)); return
  fi
  echo "ok [$name]: exit 130 $((SECONDS - t0)) s after SIGINT: $(grep -m1 'error\|interrupted' "$tmp/err")"
}

interrupt sweep_draws 4 1 sweep_out -- sweep "$src/data/world2011/briefing.toml" --draws 400 \
  --theta theta_se.csv --threads 2 --out sweep_out --quiet --data-dir "$src/data"
interrupt run_briefing 0.5 1 run_out -- run --out run_out --quiet --no-html --data-dir "$src/data"
interrupt sweep_twice 4 2 sweep2_out -- sweep "$src/data/world2011/briefing.toml" --draws 400 \
  --theta theta_se.csv --threads 2 --out sweep2_out --quiet --data-dir "$src/data"

echo "sigint: $failures failures"
[[ $failures -eq 0 ]]
