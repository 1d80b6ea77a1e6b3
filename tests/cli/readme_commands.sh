#!/usr/bin/env bash
# Every command of README.md's "Examples of every command" and "Python"
# sections, and its Python example, runs as printed (tests/cli/run_examples.py).
set -euo pipefail
exec /usr/bin/python3 "$REBALANCE_SOURCE_DIR/tests/cli/run_examples.py" readme
