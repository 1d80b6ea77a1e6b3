"""The options registry at the Python front door: rb.fepois / rb.feols take
the registry's names as keywords and the engine checks them with the words
of the CLI (tests/cli/options.sh checks the same values there); a scenario
dict's "solver" table is read by the scenario-file parser with those words."""
import pandas as pd
import pytest

import rebalance as rb
from rebalance import _native

PANEL = pd.DataFrame({"y": [1, 2, 0, 3, 1], "x": [0.5, 0.1, 0.7, 0.2, 0.9],
                      "id": ["a", "a", "b", "b", "c"]})


def test_out_of_range_estimate_option_has_the_registry_words():
    # CLI: "--demean-tolerance: must be in (0, 1), got 2" (tests/cli/options.sh).
    with pytest.raises(rb.InputError, match=r"^demean_tolerance: must be in \(0, 1\), got 2$"):
        rb.fepois("y ~ x | id", PANEL, demean_tolerance=2)
    with pytest.raises(rb.InputError, match=r"^tolerance: must be in \(0, 1\), got 2$"):
        rb.feols("y ~ x | id", PANEL, tol=2)
    with pytest.raises(rb.InputError, match=r"^ssc: must be one of stata, fixest, got 'sas'$"):
        rb.fepois("y ~ x | id", PANEL, ssc="sas")
    with pytest.raises(rb.InputError, match=r"unknown option 'drop_singleton' .*did you mean 'drop_singletons'\?"):
        rb.fepois("y ~ x | id", PANEL, drop_singleton=False)


def test_registry_keywords_reach_the_engine():
    kept = rb.fepois("y ~ x | id", PANEL, drop_singletons=False)
    dropped = rb.fepois("y ~ x | id", PANEL)
    assert (kept.nobs, dropped.nobs) == (5, 4)
    names = [r["name"] for r in _native.option_records("estimate")]
    assert "drop_singletons" in names and "demean_tolerance" in names
    tol = next(r for r in _native.option_records("estimate") if r["name"] == "tolerance")
    assert (tol["cli_flag"], tol["python_keyword"], tol["range"]) == ("--tol", "tolerance", "(0, 1)")


def test_scenario_solver_table_has_the_registry_words():
    # CLI: "--tolerance: must be > 0, got -1"; TOML: "key 'solver.tolerance': must be > 0, got -1".
    scenario = {"solver": {"tolerance": -1}, "scenario": [{"name": "none", "shocks": []}]}
    with pytest.raises(rb.InputError, match=r"key 'solver\.tolerance': must be > 0, got -1$"):
        rb.simulate(None, scenario)
