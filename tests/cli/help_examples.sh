#!/usr/bin/env bash
# Every example of every `rebalance ... --help` runs as printed, from a sandbox
# that looks like the source folder (tests/cli/run_examples.py).
set -euo pipefail
exec /usr/bin/python3 "$REBALANCE_SOURCE_DIR/tests/cli/run_examples.py" help
