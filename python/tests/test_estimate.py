"""rb.estimate against the CLI (same numbers) and with pandas inputs."""
import json

import numpy as np
import pandas as pd
import pytest

import rebalance as rb
from conftest import close, run_cli

YOTOV_FORMULA = "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year"
YOTOV_WHERE = "exporter != importer && year in {1986,1990,1994,1998,2002,2006}"


@pytest.fixture(scope="module")
def agtpa(data_dir):
    # round_trip: pandas' default float parser is not correctly rounded (it
    # differs from the engine's CSV reader in the last bit of ~1% of cells).
    return pd.read_csv(f"{data_dir}/yotov2016_agtpa/agtpa_applications.csv.gz", float_precision="round_trip")


def test_yotov_ch1_app1_matches_cli(cli, data_dir, agtpa, tmp_path):
    path = f"{data_dir}/yotov2016_agtpa/agtpa_applications.csv.gz"
    run_cli(cli, "estimate", path, "-f", YOTOV_FORMULA, "--where", YOTOV_WHERE, "--vcov", "cluster:pair_id",
            "--json", str(tmp_path / "est.json"), "--quiet", "--threads", "1")
    want = json.loads((tmp_path / "est.json").read_text())
    got = rb.estimate(agtpa, YOTOV_FORMULA, where=YOTOV_WHERE, vcov="cluster:pair_id", threads=1)
    assert got.nobs == want["nobs"] == 28152
    assert list(got.coef().index) == [c["name"] for c in want["coefficients"]]
    tidy = got.tidy().rename(columns={"Estimate": "estimate", "Std. Error": "std_error", "z value": "z",
                                      "Pr(>|z|)": "p_value", "2.5%": "ci_low", "97.5%": "ci_high"})
    worst = 0.0
    for c in want["coefficients"]:
        for key in ("estimate", "std_error", "z", "p_value", "ci_low", "ci_high"):
            assert close(tidy.loc[c["name"], key], c[key]), (c["name"], key, tidy.loc[c["name"], key], c[key])
            worst = max(worst, abs(tidy.loc[c["name"], key] - c[key]))
    print(f"estimate Yotov ch.1 app.1: max |difference| to the CLI {worst:.3g}")
    assert close(got.loglik, want["loglik"]) and close(got.deviance, want["deviance"])
    assert got.dropped["filtered"] == want["dropped"]["filtered"]
    # The published values (Yotov et al. 2016, Table 1) are asserted in C++:
    # src/econ/published_test.cc.
    # fixef / predict / summary are usable and consistent.
    fe = got.fixef()
    assert set(fe) == {"exporter^year", "importer^year"} or len(fe) == 2
    pred = got.fitted()
    assert len(pred) == len(agtpa) and pred.notna().sum() == got.nobs and (pred.dropna() > 0).all()
    assert "log(dist)" in got.summary()


def _synthetic(seed=7, n=30):
    rng = np.random.default_rng(seed)
    ex, im = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    ex, im = ex.ravel(), im.ravel()
    dist = rng.uniform(1, 10, ex.size)
    a, b = rng.normal(0, 1, n), rng.normal(0, 1, n)
    mu = np.exp(2.0 - 0.8 * np.log(dist) + a[ex] + b[im])
    y = rng.poisson(mu).astype(float)
    return pd.DataFrame({"y": y, "dist": dist, "ex": ex, "im": im})


FORMULA = "y ~ log(dist) | ex + im"


def _est(df, formula=FORMULA, **kw):
    # One thread: the synthetic problems are tiny, and OpenMP start-up on a
    # loaded shared machine costs seconds.
    return rb.estimate(df, formula, threads=1, **kw)


def _coef(r):
    return np.column_stack([r.coef().to_numpy(), r.se().to_numpy()])


def test_identifier_types_give_the_same_estimates():
    base = _synthetic()
    plain = _est(base, FORMULA, vcov="hetero")
    names = np.array([f"C{i:02d}" for i in range(30)], dtype=object)
    variants = {
        "string": base.assign(ex=names[base.ex], im=names[base.im]),
        "categorical": base.assign(ex=pd.Categorical(names[base.ex]), im=pd.Categorical(names[base.im])),
        "categorical, unused categories": base.assign(
            ex=pd.Categorical(names[base.ex], categories=["unused"] + list(names[::-1])),
            im=pd.Categorical(names[base.im], categories=list(names) + ["never"])),
        "pandas string dtype": base.assign(ex=pd.array(names[base.ex], dtype="string"),
                                           im=pd.array(names[base.im], dtype="string")),
        "non-contiguous int": base.assign(ex=base.ex * 97 + 1000, im=-base.im * 13),
        "nullable Int64": base.assign(ex=pd.array(base.ex, dtype="Int64"), im=pd.array(base.im, dtype="Int64")),
    }
    for name, df in variants.items():
        r = _est(df, FORMULA, vcov="hetero")
        assert r.nobs == plain.nobs, name
        np.testing.assert_allclose(_coef(r), _coef(plain), rtol=1e-12, atol=0, err_msg=name)


def test_iteration_log_records_every_irls_step():
    r = _est(_synthetic(), FORMULA, vcov="hetero")
    irls = [x for x in r.iteration_log if x.kind == rb._native.IterationRecord.Kind.IRLS]
    assert len(irls) == r.iterations > 0
    assert [x.step for x in irls] == list(range(1, r.iterations + 1))
    assert irls[-1].deviance == r.deviance
    assert all(x.text.startswith("IRLS step") for x in irls)


def test_missing_values_are_dropped_and_counted():
    base = _synthetic()
    plain = _est(base, FORMULA)
    names = np.array([f"C{i:02d}" for i in range(30)], dtype=object)
    extra = pd.DataFrame({"y": [np.nan, 5.0, 3.0, 4.0], "dist": [2.0, np.nan, 3.0, 2.0],
                          "ex": ["C01", "C02", None, pd.NA], "im": ["C03", "C04", "C05", "C06"]})
    df = pd.concat([base.assign(ex=names[base.ex], im=names[base.im]), extra], ignore_index=True)
    r = _est(df, FORMULA)
    assert r.dropped["missing"] == 4 and r.nobs == plain.nobs
    np.testing.assert_allclose(_coef(r), _coef(plain), rtol=1e-12, atol=0)
    # Categorical with a missing code and nullable Int64 with pd.NA.
    cat = df.assign(ex=pd.Categorical(df.ex))
    r2 = _est(cat, FORMULA)
    assert r2.dropped["missing"] == 4
    np.testing.assert_allclose(_coef(r2), _coef(plain), rtol=1e-12, atol=0)
    ints = pd.concat([base, pd.DataFrame({"y": [1.0], "dist": [2.0], "ex": [pd.NA], "im": [3]})], ignore_index=True)
    ints["ex"] = ints["ex"].astype("Int64")
    r3 = _est(ints, FORMULA)
    assert r3.dropped["missing"] == 1
    np.testing.assert_allclose(_coef(r3), _coef(plain), rtol=1e-12, atol=0)
    # fitted() aligns to the input index with NaN outside the sample.
    p = r.fitted()
    assert p.index.equals(df.index) and p.iloc[-4:].isna().all() and p.notna().sum() == plain.nobs


def test_bad_inputs_raise_documented_errors():
    df = _synthetic()
    with pytest.raises(rb.InputError, match="unknown column 'distt'.*did you mean 'dist'"):
        _est(df, "y ~ log(distt) | ex + im")
    with pytest.raises(rb.InputError, match="column 'ex' has unsupported dtype datetime64"):
        _est(df.assign(ex=pd.to_datetime(df.ex, unit="D")), FORMULA)
    mixed = df.assign(ex=df.ex.astype(object))
    mixed.loc[3, "ex"] = "three"
    with pytest.raises(rb.InputError, match="column 'ex' has dtype object with non-string values"):
        _est(mixed, FORMULA)
    neg = df.copy()
    neg.loc[6, "y"] = -2.0
    with pytest.raises(rb.InputError, match=r"row 7: outcome 'y' is negative \(-2\)"):
        _est(neg, FORMULA)
    with pytest.raises(rb.InputError):
        _est(df, "y ~ log(dist) | ex + im", family="logit")
    assert issubclass(rb.InputError, rb.RebalanceError) and issubclass(rb.ConvergenceError, rb.RebalanceError)


def test_default_vcov_is_hetero_and_robust_is_a_synonym():
    # ppmlhdfe's default: heteroskedasticity-robust; Stata users type "robust".
    df = _synthetic()
    default, hetero, robust, iid = (_est(df), _est(df, vcov="hetero"), _est(df, vcov="robust"),
                                    _est(df, vcov="iid"))
    assert default.vcov_type == robust.vcov_type == "hetero" and iid.vcov_type == "iid"
    for r in (default, robust):
        np.testing.assert_array_equal(r.vcov().to_numpy(), hetero.vcov().to_numpy())
    assert not np.allclose(iid.vcov().to_numpy(), hetero.vcov().to_numpy())
    first = default.summary().splitlines()[0]
    assert "standard errors hetero (heteroskedasticity-robust)" in first, first
    assert "standard errors iid" in iid.summary().splitlines()[0]
