"""Issue #19 in Python: the formula language (i(), interactions, functions)
against columns computed here with numpy, sw()/csw() returning one result per
model, rb.etable (the CLI's table code) and rb.read_csv(sep=)."""
import numpy as np
import pandas as pd
import pytest

import rebalance as rb


def _panel(seed=5, n=10, years=(2000, 2001, 2002)):
    rng = np.random.default_rng(seed)
    rows = [(f"C{i:02d}", f"C{j:02d}", yr) for yr in years for i in range(n) for j in range(n)]
    df = pd.DataFrame(rows, columns=["ex", "im", "year"])
    df["dist"] = rng.uniform(1, 10, len(df))
    df["rta"] = (rng.uniform(size=len(df)) < 0.4).astype(float)
    eta = 1.0 - 0.7 * np.log(df.dist) + 0.3 * df.rta + 0.1 * (df.year - 2000) * df.rta
    df["y"] = rng.poisson(np.exp(eta)).astype(float)
    return df


@pytest.fixture(scope="module")
def df():
    return _panel()


def test_i_year_rta_equals_hand_made_columns(df):
    fit = rb.fepois("y ~ log(dist) + i(year, rta, ref = 2000) | ex + im", df, vcov="robust")
    hand = df.assign(r2001=df.rta * (df.year == 2001), r2002=df.rta * (df.year == 2002))
    ref = rb.fepois("y ~ log(dist) + r2001 + r2002 | ex + im", hand, vcov="hetero")
    assert list(fit.coef().index) == ["log(dist)", "year::2001:rta", "year::2002:rta"]
    assert fit.vcov_type == "hetero"
    np.testing.assert_allclose(fit.coef().to_numpy(), ref.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(fit.se().to_numpy(), ref.se().to_numpy(), rtol=1e-8)
    # predict evaluates the i() dummies and the function on new data.
    np.testing.assert_allclose(fit.predict().to_numpy(), ref.predict().to_numpy(), rtol=1e-8)
    new = df.iloc[:5].copy()
    new["year"] = 2001
    np.testing.assert_allclose(fit.predict(new).to_numpy(),
                               ref.predict(new.assign(r2001=new.rta, r2002=0.0)).to_numpy(), rtol=1e-8)


def test_interactions_and_functions_equal_numpy_columns(df):
    fit = rb.feols("y ~ dist*rta + I(dist^2) + sqrt(dist) | ex", df)
    hand = df.assign(d_r=df.dist * df.rta, d2=df.dist ** 2, sd=np.sqrt(df.dist))
    ref = rb.feols("y ~ dist + rta + d2 + sd + d_r | ex", hand)
    assert list(fit.coef().index) == ["dist", "rta", "I(dist^2)", "sqrt(dist)", "dist:rta"]
    np.testing.assert_allclose(fit.coef().to_numpy(), ref.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(fit.se().to_numpy(), ref.se().to_numpy(), rtol=1e-8)


def test_sw_and_csw_give_one_result_per_model(df):
    fits = rb.fepois("y ~ log(dist) + csw(rta, i(year)) | ex + im", df)
    assert isinstance(fits, list) and len(fits) == 2
    assert fits[0].formula == "y ~ log(dist) + rta | ex + im"
    one = rb.fepois("y ~ log(dist) + rta | ex + im", df)
    np.testing.assert_allclose(fits[0].coef().to_numpy(), one.coef().to_numpy(), rtol=1e-12)
    sw = rb.fepois("y ~ sw(log(dist), rta) | ex", df)
    assert [list(f.coef().index) for f in sw] == [["log(dist)"], ["rta"]]


def test_etable_formats(df):
    a = rb.fepois("y ~ log(dist) | ex + im", df)
    b = rb.fepois("y ~ log(dist) + rta | ex + im", df)
    text = rb.etable([a, b])
    lines = text.splitlines()
    assert lines[0].split() == ["(1)", "(2)"]
    row = next(l for l in lines if l.startswith("log(dist)")).split()
    assert row[1].rstrip("*") == f"{a.coef()['log(dist)']:.4f}"
    assert row[2].rstrip("*") == f"{b.coef()['log(dist)']:.4f}"
    csv = rb.etable([a, b], type="csv", model_names=["base", "rta"])
    assert csv.splitlines()[0] == ",base,rta"
    assert "Observations,{:,},{:,}".format(a.nobs, b.nobs).replace(",", ",", 1) in csv.replace('"', "")
    assert rb.etable(a, type="latex").startswith("\\begin{tabular}{lc}")
    assert rb.etable([a, b], type="markdown").splitlines()[1] == "|---|---:|---:|"
    with pytest.raises(rb.InputError, match="expected text, csv, latex or markdown"):
        rb.etable([a], type="html")
    with pytest.raises(rb.InputError):
        rb.etable([a, "b"])


def test_read_csv_separators(tmp_path):
    (tmp_path / "c.csv").write_text("ex,im,v\nA,B,1.5\nB,A,2\n")
    (tmp_path / "s.csv").write_text("ex;im;v\nA;B;1.5\nB;A;2\n")
    want = rb.read_csv(str(tmp_path / "c.csv"))
    got = rb.read_csv(str(tmp_path / "s.csv"))
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(rb.read_csv(str(tmp_path / "s.csv"), sep=";"), want)
    with pytest.raises(rb.InputError, match="looks ';'-separated"):
        rb.read_csv(str(tmp_path / "s.csv"), sep=",")
    with pytest.raises(rb.InputError, match="separator ':'"):
        rb.read_csv(str(tmp_path / "c.csv"), sep=":")
