#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs the default
# balanced-growth briefing on the built-in world2011 baseline. Results and
# report.html go to ./rebalance-out (pass other `rebalance run` options after
# the script, e.g. `scripts/run.sh --out elsewhere --force`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/rebalance run "$@"
