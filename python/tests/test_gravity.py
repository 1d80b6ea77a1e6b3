"""rb.gravity against `rebalance gravity` on Yotov et al. (2016) ch. 2
application 1 (trade without borders)."""
import csv

import pandas as pd
import pytest

import rebalance as rb
from conftest import close, csv_float, rel_diff, run_cli

FORMULA = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"


@pytest.fixture(scope="module")
def borders(data_dir):
    return f"{data_dir}/yotov2016_agtpa/ch2_app1_trade_without_border_2006.csv.gz"


@pytest.fixture(scope="module")
def cli_estimate(cli, borders, tmp_path_factory):
    path = tmp_path_factory.mktemp("gravity") / "est.json"
    run_cli(cli, "estimate", borders, "-f", FORMULA, "--json", str(path), "--quiet", "--threads", "1")
    return path


@pytest.fixture(scope="module")
def borders_df(borders):
    # round_trip: pandas' default float parser is not correctly rounded.
    return pd.read_csv(borders, float_precision="round_trip")


def _rows(path):
    out = {}
    for r in csv.DictReader(open(path)):
        out[(r["country"], r["partner"], r["variable"])] = tuple(
            csv_float(r[k]) for k in ("baseline", "counterfactual", "pct_change"))
    return out


@pytest.mark.parametrize("method", ["exact", "yotov2016"])
def test_trade_without_borders_matches_cli(cli, borders, borders_df, cli_estimate, tmp_path, method):
    run_cli(cli, "gravity", borders, "--estimate", str(cli_estimate), "--set", "INTL_BRDR=0",
            "--sigma", "7", "--reference", "ZZZ", "--method", method, "--out", str(tmp_path / "g"), "--quiet")
    want = _rows(tmp_path / "g" / "gravity.csv")
    df = borders_df
    est = rb.estimate(df, FORMULA, threads=1)
    got = rb.gravity(df, estimate=est, set=["INTL_BRDR=0"], sigma=7, reference="ZZZ", method=method)
    res = got.results
    assert len(res) == len(want)
    worst = 0.0
    for r in res.itertuples(index=False):
        w = want[(r.country, "" if pd.isna(r.partner) else r.partner, r.variable)]
        for g, x in zip((r.baseline, r.counterfactual, r.pct_change), w):
            assert close(g, x), (r.country, r.partner, r.variable, g, x)
            worst = max(worst, rel_diff(g, x))
    # The book's published table is asserted in C++ (src/ge/gravity_published_test.cc).
    # Missing partners are NaN in the frame exactly where pd.read_csv of the CLI's file has NaN.
    cli_frame = pd.read_csv(tmp_path / "g" / "gravity.csv")
    assert res.partner.isna().sum() == cli_frame.partner.isna().sum() > 0 and res.partner.notna().any()
    print(f"gravity {method}: {len(res)} rows, max relative difference to the CLI {worst:.3g}")


def test_gravity_input_errors(borders_df):
    df = borders_df
    with pytest.raises(rb.InputError, match="exactly one of"):
        rb.gravity(df, sigma=7, reference="ZZZ")
    est = {"ln_DIST": -0.8, "CNTG": 0.3, "INTL_BRDR": -3.0}
    with pytest.raises(rb.InputError, match="ZZY"):
        rb.gravity(df, estimate=est, set=["INTL_BRDR=0"], sigma=7, reference="ZZY")
    with pytest.raises(rb.InputError, match="unknown column 'tradee'"):
        rb.gravity(df, estimate=est, flow="tradee", sigma=7, reference="ZZZ")
