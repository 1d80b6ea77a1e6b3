"""pyfixest-style front door: rb.fepois / rb.feols and the result methods
(coef, se, tstat, pvalue, confint, tidy, vcov, summary, fixef, fitted, resid,
predict), each against a formula computed here or an identity of the fit."""
import json
import math

import numpy as np
import pandas as pd
import pytest

import rebalance as rb


def _panel(seed=3, n=12, years=(2000, 2001, 2002)):
    rng = np.random.default_rng(seed)
    rows = []
    for yr in years:
        for i in range(n):
            for j in range(n):
                rows.append((f"C{i:02d}", f"C{j:02d}", yr))
    df = pd.DataFrame(rows, columns=["ex", "im", "year"])
    df["dist"] = rng.uniform(1, 10, len(df))
    df["rta"] = (rng.uniform(size=len(df)) < 0.3).astype(float)
    df["off"] = rng.normal(0, 0.1, len(df))
    a = dict(zip(df.ex.unique(), rng.normal(0, 1, n)))
    b = dict(zip(df.im.unique(), rng.normal(0, 1, n)))
    eta = 1.5 - 0.8 * np.log(df.dist) + 0.4 * df.rta + df.ex.map(a) + df.im.map(b) + 0.05 * (df.year - 2000)
    df["y"] = rng.poisson(np.exp(eta)).astype(float)
    df["yl"] = eta + rng.normal(0, 0.3, len(df))
    return df


FORMULA = "y ~ log(dist) + rta | ex^year + im^year"


@pytest.fixture(scope="module")
def df():
    return _panel()


@pytest.fixture(scope="module")
def fit(df):
    return rb.fepois(FORMULA, df, vcov="hetero", threads=1)


def test_fepois_and_feols_are_estimate_with_the_family(df, fit):
    ref = rb.estimate(df, FORMULA, family="poisson", threads=1)
    np.testing.assert_array_equal(fit.coef().to_numpy(), ref.coef().to_numpy())
    np.testing.assert_array_equal(fit.se().to_numpy(), ref.se().to_numpy())
    ols = rb.feols("yl ~ log(dist) + rta | ex + im", df, vcov="iid", threads=1)
    ols_ref = rb.estimate(df, "yl ~ log(dist) + rta | ex + im", family="gaussian", vcov="iid", threads=1)
    np.testing.assert_array_equal(ols.coef().to_numpy(), ols_ref.coef().to_numpy())
    assert ols.family == "gaussian" and ols.vcov_type == "iid" and fit.vcov_type == "hetero"
    assert ols.summary().startswith("OLS (Gaussian) estimation, standard errors iid")


def test_coefficients_and_inference(fit):
    j = json.loads(fit.to_json())
    names = [c["name"] for c in j["coefficients"]]
    assert names == ["log(dist)", "rta"]
    for method, key in ((fit.coef, "estimate"), (fit.se, "std_error"), (fit.tstat, "z"), (fit.pvalue, "p_value")):
        s = method()
        assert isinstance(s, pd.Series) and list(s.index) == names
        np.testing.assert_array_equal(s.to_numpy(), [c[key] for c in j["coefficients"]])
    b, se = fit.coef().to_numpy(), fit.se().to_numpy()
    np.testing.assert_allclose(fit.tstat().to_numpy(), b / se, rtol=1e-12)
    # Normal two-sided p-values, 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2), written here.
    p = [math.erfc(abs(z) / math.sqrt(2)) for z in b / se]
    np.testing.assert_allclose(fit.pvalue().to_numpy(), p, rtol=1e-10, atol=1e-300)
    # Variance matrix: its diagonal gives the standard errors.
    v = fit.vcov()
    assert list(v.index) == list(v.columns) == names
    np.testing.assert_allclose(np.sqrt(np.diag(v.to_numpy())), se, rtol=1e-12)
    np.testing.assert_allclose(v.to_numpy(), v.to_numpy().T, rtol=1e-12)


def test_confint_and_tidy(fit):
    j = json.loads(fit.to_json())
    b, se = fit.coef().to_numpy(), fit.se().to_numpy()
    ci = fit.confint()
    assert list(ci.columns) == ["2.5%", "97.5%"]
    # The engine's 95% interval and b -/+ 1.959963984540054 se (the normal quantile, to 16 digits).
    np.testing.assert_allclose(ci["2.5%"], [c["ci_low"] for c in j["coefficients"]], rtol=1e-12)
    np.testing.assert_allclose(ci["97.5%"], [c["ci_high"] for c in j["coefficients"]], rtol=1e-12)
    np.testing.assert_allclose(ci["2.5%"], b - 1.959963984540054 * se, rtol=1e-12)
    ci90 = fit.confint(alpha=0.10)
    assert list(ci90.columns) == ["5%", "95%"]
    np.testing.assert_allclose(ci90["95%"], b + 1.6448536269514722 * se, rtol=1e-12)
    ci99 = fit.confint(0.01)
    np.testing.assert_allclose(ci99["99.5%"], b + 2.5758293035489004 * se, rtol=1e-12)
    with pytest.raises(rb.InputError, match="alpha must be in"):
        fit.confint(alpha=1.5)
    t = fit.tidy()
    assert list(t.columns) == ["Estimate", "Std. Error", "z value", "Pr(>|z|)", "2.5%", "97.5%"]
    assert t.index.name == "Coefficient" and list(t.index) == ["log(dist)", "rta"]
    np.testing.assert_array_equal(t["Estimate"], b)
    np.testing.assert_array_equal(t["Pr(>|z|)"], fit.pvalue())


def test_summary_and_dropped_keys(df):
    w = df.assign(w=1.0)
    w.loc[[0, 5, 7], "w"] = 0.0
    w.loc[3, "dist"] = np.nan
    r = rb.fepois(FORMULA, w, weights="w", threads=1)
    j = json.loads(r.to_json())
    assert set(r.dropped) == set(j["dropped"]) == {"missing", "singleton", "separated", "filtered", "zero_weight"}
    assert r.dropped == j["dropped"]
    assert r.dropped["zero_weight"] == 3 and r.dropped["missing"] == 1
    first = r.summary().splitlines()[0]
    assert first.startswith("PPML (Poisson) estimation, standard errors hetero (heteroskedasticity-robust)"), first


def test_fitted_resid_and_the_score_identity(df, fit):
    f, e = fit.fitted(), fit.resid()
    assert f.index.equals(df.index) and e.index.equals(df.index)
    assert f.notna().sum() == fit.nobs
    np.testing.assert_allclose(e.to_numpy(), df.y.to_numpy() - f.to_numpy(), rtol=0, atol=0)
    # PPML's first-order conditions: residuals sum to zero in every fixed-effect group.
    scale = df.y.sum()
    for dim in (["ex", "year"], ["im", "year"]):
        worst = e.groupby([df[c] for c in dim]).sum().abs().max()
        assert worst <= 1e-7 * scale, (dim, worst)
    # ... and are orthogonal to every regressor.
    assert abs((e * np.log(df.dist)).sum()) <= 1e-7 * scale
    assert abs((e * df.rta).sum()) <= 1e-7 * scale


def test_fixef_rebuilds_the_linear_predictor(df, fit):
    fe = fit.fixef()
    assert set(fe) == {"ex^year", "im^year"}
    assert fe["ex^year"].index[0] == "C00^2000" and fe["im^year"].iloc[0] == 0.0
    b = fit.coef()
    eta = (b["log(dist)"] * np.log(df.dist) + b["rta"] * df.rta
           + fe["ex^year"].reindex(df.ex + "^" + df.year.astype(str)).to_numpy()
           + fe["im^year"].reindex(df.im + "^" + df.year.astype(str)).to_numpy())
    np.testing.assert_allclose(np.exp(eta), fit.fitted(), rtol=1e-10)


def test_predict_reproduces_fitted_on_the_estimation_sample(df, fit):
    np.testing.assert_allclose(fit.predict(df), fit.fitted(), rtol=1e-10, atol=0)
    np.testing.assert_allclose(fit.predict(), fit.fitted(), rtol=1e-10, atol=0)
    np.testing.assert_allclose(fit.predict(df, type="link"), np.log(fit.fitted()), rtol=0, atol=1e-10)
    # OLS with an offset, integer and text identifiers, and no fixed effects at all.
    d = df.assign(yr=df.year.astype(np.int64))
    for formula, family, kw in (("yl ~ log(dist) + rta | ex + im^yr", "gaussian", {"offset": "off"}),
                                ("y ~ log(dist) + rta | ex + im", "poisson", {"offset": "off"}),
                                ("y ~ log(dist) + rta", "poisson", {}),
                                ("yl ~ rta", "gaussian", {})):
        r = rb.estimate(d, formula, family=family, threads=1, **kw)
        np.testing.assert_allclose(r.predict(d), r.fitted(), rtol=1e-10, atol=1e-10, err_msg=formula)


def test_predict_on_new_data(df, fit):
    new = df.iloc[:4].copy().reset_index(drop=True)
    new.index = ["a", "b", "c", "d"]
    new.loc["b", "ex"] = "NEW"          # a level the fit never saw
    new.loc["c", "dist"] = -1.0         # log of a negative value: missing
    new.loc["d", "rta"] = 1.0 - new.loc["d", "rta"]
    p = fit.predict(new)
    assert p.index.equals(new.index)
    assert math.isnan(p["b"]) and math.isnan(p["c"])
    assert p["a"] == pytest.approx(fit.fitted().iloc[0], rel=1e-10)
    # Changing rta multiplies the prediction by exp(+/- beta_rta).
    sign = 1.0 if new.loc["d", "rta"] == 1.0 else -1.0
    assert p["d"] == pytest.approx(fit.fitted().iloc[3] * math.exp(sign * fit.coef()["rta"]), rel=1e-10)
    with pytest.raises(rb.InputError, match="no column 'rta'"):
        fit.predict(new.drop(columns="rta"))
    with pytest.raises(rb.InputError, match="type must be"):
        fit.predict(new, type="probability")
