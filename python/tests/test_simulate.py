"""rb.Baseline / rb.simulate against `rebalance run` on the built-in
world2011 baseline, and the scenario dict -> TOML path."""
import csv
import tomllib

import numpy as np
import pandas as pd
import pytest

import rebalance as rb
from rebalance import _toml
from conftest import SCENARIO, close, csv_float, rel_diff

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
            csv_float(r[k]) for k in ("baseline", "counterfactual", "pct_change"))
    for label, res in (("dict + Baseline", rb.simulate(world, SCENARIO)),
                       ("path, file's baseline", rb.simulate(None, path))):
        assert list(res.columns) == ["scenario", "country", "partner", "sector", "variable", "unit", "baseline",
                                     "counterfactual", "pct_change"]
        assert (res.unit[res.variable == "gross_output"] == "million USD").all()
        assert (res.unit[res.variable == "real_wage"] == "index (base year = 1)").all()
        assert (res.unit != "").all(), res[res.unit == ""].variable.unique()
        assert len(res) == len(want), label
        worst = 0.0
        for r in res.itertuples(index=False):
            w = want[(r.scenario, r.country, "" if pd.isna(r.partner) else r.partner,
                      "" if pd.isna(r.sector) else r.sector, r.variable)]
            for g, x in zip((r.baseline, r.counterfactual, r.pct_change), w):
                assert close(g, x), (label, r, w)
                worst = max(worst, rel_diff(g, x))
        # Missing partner/sector are NaN exactly where pd.read_csv of the CLI's file has NaN.
        cli_frame = pd.read_csv(out / "results.csv")
        for k in ("partner", "sector"):
            assert res[k].isna().sum() == cli_frame[k].isna().sum() > 0, (label, k)
        print(f"simulate ({label}): {len(res)} rows, max relative difference to the CLI {worst:.3g}")
    # Levels are finite; pct_change is NaN only where it is undefined (zero baseline).
    assert np.isfinite(res[["baseline", "counterfactual"]].to_numpy()).all()
    assert (res.baseline[res["pct_change"].isna()] == 0).all()


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
    with pytest.raises(rb.InputError, match="sigma must be > 1"):
        rb.simulate(world, {"model": {"type": "gravity", "sigma": 0.5}, "scenario": []})
    with pytest.raises(rb.InputError, match="only 'multisector' scenarios run on a Baseline object"):
        rb.simulate(world, {"model": {"type": "gravity", "sigma": 5.0}, "scenario": [{"name": "x", "shocks": [
            {"tariff": {"importer": "USA", "exporter": "CHN", "sectors": "*", "add": 0.1}}]}]})


def test_from_wiod_with_the_builtin_mapping_equals_builtin(world, data_dir, source_dir):
    # world2011 is WIOD 2011 aggregated by data/world2011/mapping.csv: loading the
    # raw table through from_wiod with the same mapping and theta gives the same baseline.
    w = rb.Baseline.from_wiod(f"{data_dir}/wiod2013_bquast/wiot2011.csv.gz",
                              map=f"{source_dir}/data/world2011/mapping.csv",
                              theta=f"{source_dir}/data/world2011/theta.csv")
    assert w.countries == world.countries and w.sectors == world.sectors
    np.testing.assert_allclose(w.flows.flow, world.flows.flow, rtol=1e-12, atol=0)
    np.testing.assert_allclose(w.theta, world.theta, rtol=0, atol=0)
    np.testing.assert_allclose(w.deficits, world.deficits, rtol=1e-12, atol=1e-9)
    with pytest.raises(rb.InputError, match="no_such.csv"):
        rb.Baseline.from_wiod(f"{data_dir}/wiod2013_bquast/no_such.csv", theta=f"{source_dir}/data/world2011/theta.csv")


def test_from_caliendo_parro(data_dir):
    cp = rb.Baseline.from_caliendo_parro(f"{data_dir}/caliendo_parro2015/original_matrices")
    assert len(cp.countries) == 31 and len(cp.sectors) == 40 and cp.io_table is None
    assert "Caliendo & Parro" in cp.provenance["baseline"]


def test_theta_scaling_on_a_loaded_baseline_equals_the_run(world):
    """A theta shock (docs/scenarios.md) through rb.simulate on a loaded Baseline gives the
    numbers of the file's own run (RunScenarios) exactly, and moves them against theta x 1."""
    def scenario(factor):
        return {"baseline": {"builtin": "world2011"}, "scenario": [{"name": "t", "shocks": [
            {"tariff": {"importer": "USA", "exporter": "CHN", "sectors": ["Transport equipment"], "add": 0.5}},
            {"theta": {"sectors": "Transport equipment", "multiply": factor}}]}]}
    on_baseline = rb.simulate(world, scenario(0.5), bilateral=False)
    run = rb.simulate(None, scenario(0.5), bilateral=False)
    unscaled = rb.simulate(world, scenario(1.0), bilateral=False)
    assert len(on_baseline) == len(run) == len(unscaled) > 0
    assert (on_baseline.counterfactual.to_numpy() == run.counterfactual.to_numpy()).all()
    moved = (on_baseline.counterfactual.to_numpy() != unscaled.counterfactual.to_numpy()).sum()
    assert moved > 100, moved
    with pytest.raises(rb.InputError, match=r"theta.multiply': a factor on theta must be > 0"):
        rb.simulate(world, scenario(0), bilateral=False)
