#!/usr/bin/env bash
# The main job: installs what is needed, builds the `rebalance` command (only
# it and the libraries it links: no tests, benchmarks or Python module), and
# runs the default balanced-growth briefing on the built-in world2011 baseline.
# Results and report.html go to ./rebalance-out (pass other `rebalance run`
# options after the script, e.g. `scripts/run.sh --out elsewhere --force`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target rebalance_cli
exec build/rebalance run "$@"
