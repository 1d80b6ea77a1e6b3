"""Shared fixtures: the CLI binary and the shared data folder (set by ctest's
python.pytest: REBALANCE, REBALANCE_DATA_DIR, REBALANCE_SOURCE_DIR)."""
import json
import math
import os
import subprocess

import pytest


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"environment variable {name} is not set; run the suite with `ctest -R python.pytest`")
    return value


@pytest.fixture(scope="session")
def cli():
    return _env("REBALANCE")


@pytest.fixture(scope="session")
def data_dir():
    return _env("REBALANCE_DATA_DIR")


@pytest.fixture(scope="session")
def source_dir():
    return _env("REBALANCE_SOURCE_DIR")


def run_cli(cli, *args):
    """Runs the CLI and returns its CompletedProcess (fails the test on error)."""
    proc = subprocess.run([cli, *args], capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}"
    return proc


def close(a, b, tol=1e-12):
    """|a - b| <= tol * max(1, |a|, |b|); NaN (an undefined pct_change, written
    as an empty CSV cell) only matches NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def csv_float(text):
    """A CSV cell as float: empty = NaN (undefined pct_change)."""
    return float("nan") if text == "" else float(text)


def rel_diff(a, b):
    """Relative difference used in the reports (0 for two NaN)."""
    if math.isnan(a) and math.isnan(b):
        return 0.0
    return abs(a - b) / max(1.0, abs(b))


# One multi-sector scenario on world2011 (the dict form of docs/scenarios.md).
SCENARIO = {
    "title": "python test",
    "baseline": {"builtin": "world2011"},
    "model": {"type": "multisector"},
    "groups": {"sectors": {"strategic": ["Transport equipment", "Electrical and optical equipment"]}},
    "scenario": [{
        "name": "US tariffs on China",
        "description": "quote \" and backslash \\ survive",
        "shocks": [
            {"tariff": {"importer": "USA", "exporter": "CHN", "sectors": ["Transport equipment"], "add": 1.0}},
            {"tariff": {"importer": "USA", "exporter": "CHN", "sectors": "strategic", "add": 0.25}},
        ],
    }],
}




@pytest.fixture(scope="session")
def world():
    """The built-in world2011 baseline, loaded once."""
    import rebalance as rb
    return rb.Baseline.builtin("world2011")


@pytest.fixture(scope="session")
def world_run(cli, tmp_path_factory):
    """`rebalance run` of SCENARIO on world2011: (scenario path, output folder)."""
    from rebalance import _toml
    tmp = tmp_path_factory.mktemp("world_run")
    path = tmp / "scenario.toml"
    path.write_text(_toml.dumps(SCENARIO))
    run_cli(cli, "run", str(path), "--out", str(tmp / "out"), "--quiet", "--no-html", "--bilateral", "all")
    return path, tmp / "out"
