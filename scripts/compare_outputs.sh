#!/usr/bin/env bash
# Proves a change leaves every output unchanged: runs every command of README.md's examples (and its Python
# example) and the golden runs of the CLI tests (tests/cli/golden_runs.txt) with two `rebalance` binaries, each in
# its own sandbox made at the same path (so paths in outputs agree), and compares every output file, stdout,
# stderr and exit code byte for byte (scripts/compare_outputs.py; its NORMALISE list is the only thing forgiven).
#   scripts/compare_outputs.sh BEFORE_BIN AFTER_BIN [BEFORE_PYTHON_DIR AFTER_PYTHON_DIR]
# The Python module folders default to python/ beside each binary (as in a build folder), if there.
# Exit 0 if identical, 1 naming each differing file with a short diff, 2 on bad use. About 10 minutes on 2 cores.
# REBALANCE_DATA_DIR (default ../shared/data) as for the tests; COMPARE_KEEP=DIR keeps both runs in DIR.
set -euo pipefail
if [ $# -ne 2 ] && [ $# -ne 4 ]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
before=$(realpath "$1")
after=$(realpath "$2")
for b in "$before" "$after"; do
  [ -x "$b" ] || { echo "compare_outputs: $b is not an executable" >&2; exit 2; }
done
py_before=${3:-$(dirname "$before")/python}
py_after=${4:-$(dirname "$after")/python}
export REBALANCE_DATA_DIR=$(realpath "${REBALANCE_DATA_DIR:-$src/../shared/data}")
if [ -n "${COMPARE_KEEP:-}" ]; then
  mkdir -p "$COMPARE_KEEP"
  tmp=$(realpath "$COMPARE_KEEP")
else
  tmp=$(mktemp -d /tmp/rb-compare.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
fi
run() {  # run SIDE BIN PYDIR: the examples in $tmp/sandbox, then moved to $tmp/SIDE
  echo "== $1: $2" >&2
  rm -rf "$tmp/sandbox" "$tmp/$1"
  REBALANCE=$2 REBALANCE_SOURCE_DIR=$src REBALANCE_BUILD_DIR=$(dirname "$2") REBALANCE_PYTHON_DIR=$3 \
    /usr/bin/python3 "$src/tests/cli/run_examples.py" all --keep "$tmp/sandbox" >&2 ||
    echo "compare_outputs: some commands failed with $2 (their exit codes are compared too)" >&2
  mv "$tmp/sandbox" "$tmp/$1"
}
run before "$before" "$py_before"
run after "$after" "$py_after"
/usr/bin/python3 "$src/scripts/compare_outputs.py" "$tmp/before" "$tmp/after"
