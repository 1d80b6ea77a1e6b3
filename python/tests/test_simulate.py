"""rb.Baseline / rb.simulate against `rebalance run` on the built-in
world2011 baseline, and the scenario dict -> TOML path."""
import csv
import tomllib

import numpy as np
import pytest

import rebalance as rb
from rebalance import _toml
from conftest import SCENARIO, close

def test_toml_round_trip():
    text = _toml.dumps(SCENARIO)
    assert tomllib.loads(text) == SCENARIO
    with pytest.raises(rb.InputError, match="not a finite number"):
        _toml.dumps({"scenario": [{"name": "x", "shocks": [{"tariff": {"add": float("nan")}}]}]})


def test_simulate_matches_cli_run(world_run, world):
    path, out = world_run
    want = {}
    for r in csv.DictReader(open(out / "results.csv")):
        want[(r["scenario"], r["country"], r["partner"], r["sector"], r["variable"])] = tuple(
            float(r[k]) for k in ("baseline", "counterfactual", "pct_change"))
    for label, res in (("dict + Baseline", rb.simulate(world, SCENARIO)),
                       ("path, file's baseline", rb.simulate(None, path))):
        assert list(res.columns) == ["scenario", "country", "partner", "sector", "variable", "baseline",
                                     "counterfactual", "pct_change"]
        assert len(res) == len(want), label
        worst = 0.0
        for r in res.itertuples(index=False):
            w = want[(r.scenario, r.country, r.partner, r.sector, r.variable)]
            for g, x in zip((r.baseline, r.counterfactual, r.pct_change), w):
                assert close(g, x), (label, r, w)
                worst = max(worst, abs(g - x) / max(1.0, abs(x)))
        print(f"simulate ({label}): {len(res)} rows, max relative difference to the CLI {worst:.3g}")
    assert np.isfinite(res[["baseline", "counterfactual", "pct_change"]].to_numpy()).all()


def test_baseline_views(world):
    assert "USA" in world.countries and "Transport equipment" in world.sectors
    assert (world.theta > 0).all()
    # Deficits sum to zero across countries (accounting identity).
    assert abs(world.deficits.sum()) <= 1e-9 * world.flows.flow.sum()
    fl = world.flows
    assert len(fl) == len(world.sectors) * len(world.countries) ** 2 and (fl.flow >= 0).all()
    n = world.countries.index("USA")
    j = world.sectors.index("Transport equipment")
    row = fl[(fl.sector == "Transport equipment") & (fl.importer == "USA") & (fl.exporter == "CHN")]
    assert len(row) == 1 and row.flow.iloc[0] == world.native.flow[(j * len(world.countries) + n) *
                                                                    len(world.countries) +
                                                                    world.countries.index("CHN")]


def test_scenario_errors_name_the_key(world):
    bad = {"scenario": [{"name": "typo", "shocks": [
        {"tariff": {"importer": "USA", "exporter": "CHA", "sectors": "*", "add": 0.1}}]}]}
    with pytest.raises(rb.InputError, match=r"scenario\[0\]\.shocks\[0\]\.tariff\.exporter.*unknown country 'CHA'; "
                                            r"did you mean 'CHN'"):
        rb.simulate(world, bad)
    with pytest.raises(rb.InputError):
        rb.simulate(world, {"scenario": [{"name": "x", "shocks": [{"tarif": {}}]}]})
    with pytest.raises(rb.InputError):
        rb.simulate(world, 42)
