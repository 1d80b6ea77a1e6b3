"""The notebook-style example in examples/python runs end to end."""
import os
import subprocess
import sys


def test_briefing_example_runs(source_dir, data_dir):
    script = os.path.join(source_dir, "examples", "python", "briefing_example.py")
    proc = subprocess.run([sys.executable, script], capture_output=True, text=True,
                          env={**os.environ, "REBALANCE_DATA_DIR": data_dir})
    assert proc.returncode == 0, proc.stderr
    for needle in ("INTL_BRDR", "Real GDP change", "Manufacturing overcapacity", "va_balance", "pct_change"):
        assert needle in proc.stdout, (needle, proc.stdout[-2000:])
