"""rb.tariff_war / rb.solve_tariff_war against the CLI and Table 1 of
Ignatenko, Macedoni, Lashkaripour & Simonovska (2025)."""
import os

import numpy as np
import pandas as pd
import pytest

import rebalance as rb


def test_solve_reproduces_table1_case1_and_options_change_it():
    w = rb.world2023()
    countries = list(w.baseline.countries)
    us = countries.index("USA")
    rate = np.asarray(w.schedules["liberation_day"])
    t = np.zeros((len(countries), len(countries)))
    t[:, us] = np.maximum(0.10, rate)
    t[us, us] = 0.0
    res = rb.solve_tariff_war(t, revenue="income_tax")
    row = lambda df, c, v: df[(df.country == c) & (df.variable == v)]["pct_change"].iloc[0]
    assert round(row(res, "USA", "welfare"), 2) == 1.13
    assert round(row(res, "USA", "employment"), 2) == 0.32
    assert round(row(res, "non-US", "prices"), 1) == -4.7
    lump = rb.solve_tariff_war(t, revenue="lump_sum")
    assert round(row(lump, "USA", "employment"), 2) == -0.41
    fixed = rb.solve_tariff_war(t, kappa=0.0)
    assert np.allclose(fixed[fixed.variable == "employment"].counterfactual, 1.0, rtol=0, atol=0)
    with pytest.raises(rb.InputError):
        rb.solve_tariff_war(t, revenue="rebate")
    with pytest.raises(rb.InputError):
        rb.solve_tariff_war(t, kapa=0.5)


def test_scenario_file_matches_the_cli(cli, source_dir, tmp_path):
    import subprocess
    path = os.path.join(source_dir, "examples", "scenarios", "liberation_day_lump_sum.toml")
    df = rb.tariff_war(path)
    out = tmp_path / "out"
    subprocess.run([cli, "run", path, "--out", str(out), "--quiet"], check=True)
    written = pd.read_csv(out / "results.csv", keep_default_na=False, float_precision="round_trip")
    assert len(written) == len(df)
    a = df["pct_change"].to_numpy(dtype=float)
    b = pd.to_numeric(written["pct_change"], errors="coerce").to_numpy(dtype=float)
    assert np.allclose(a, b, rtol=0, atol=1e-12, equal_nan=True)  # last-bit differences between builds
    us = df[(df.country == "USA") & (df.variable == "welfare")]["pct_change"].iloc[0]
    assert round(us, 2) == -0.01
