"""rb.estimate: PPML / OLS with high-dimensional fixed effects from pandas."""
from __future__ import annotations

from typing import Dict, Optional

import numpy as np
import pandas as pd

from . import _native
from ._frames import to_table


class EstimateResult:
    """The result of :func:`estimate`.

    Attributes: ``coef`` (DataFrame: estimate, std_error, z, p_value, ci_low,
    ci_high, indexed by term as written in the formula), ``vcov`` (DataFrame),
    ``nobs``, ``dropped`` (dict of counts by reason), ``loglik``,
    ``deviance``, ``iterations``, ``converged``, ``collinear``.
    """

    def __init__(self, native: "_native.EstimateResult", index: pd.Index):
        self._native = native
        self._index = index
        names = [c.name for c in native.coefficients]
        self.coef = pd.DataFrame(
            {
                "estimate": [c.estimate for c in native.coefficients],
                "std_error": [c.std_error for c in native.coefficients],
                "z": [c.z for c in native.coefficients],
                "p_value": [c.p_value for c in native.coefficients],
                "ci_low": [c.ci_low for c in native.coefficients],
                "ci_high": [c.ci_high for c in native.coefficients],
            },
            index=pd.Index(names, name="term"),
        )
        self.vcov = pd.DataFrame(np.asarray(native.vcov), index=names, columns=names)
        self.nobs = int(native.nobs)
        d = native.dropped
        self.dropped = {"missing": d.missing, "filtered": d.filtered,
                        "singleton": d.singleton, "separated": d.separated}
        self.loglik = native.loglik
        self.deviance = native.deviance
        self.pseudo_r2 = native.pseudo_r2
        self.iterations = native.iterations
        self.converged = native.converged
        self.collinear = list(native.collinear)
        self.vcov_type = native.vcov_type

    def fixef(self) -> Dict[str, pd.Series]:
        """Fixed-effect estimates: a Series per dimension, indexed by group label."""
        return {fe.name: pd.Series(list(fe.values), index=list(fe.labels), name=fe.name)
                for fe in self._native.fixed_effects}

    def predict(self) -> pd.Series:
        """Fitted values (mu for Poisson, xb for Gaussian) aligned to the input
        DataFrame's index; NaN on rows outside the estimation sample (dropped
        rows are counted in ``dropped``)."""
        out = np.full(len(self._index), np.nan)
        out[np.asarray(self._native.sample_rows)] = np.asarray(self._native.fitted)
        return pd.Series(out, index=self._index, name="fitted")

    def summary(self) -> str:
        """The coefficient table, as printed by ``rebalance estimate``."""
        return self._native.full_report()

    def to_json(self) -> str:
        """The stable JSON schema of ``rebalance estimate --json``."""
        return self._native.to_json()

    def __repr__(self) -> str:
        return self.summary()


def estimate(df: pd.DataFrame, formula: str, *, family: str = "poisson", vcov: str = "hetero",
             where: Optional[str] = None, weights: Optional[str] = None, offset: Optional[str] = None,
             ssc: str = "stata", tol: float = 1e-8, max_iter: int = 1000, threads: int = 0,
             verbose: bool = False) -> EstimateResult:
    """Estimates a gravity equation by PPML (``family="poisson"``) or OLS
    (``family="gaussian"``) with high-dimensional fixed effects.

    ``formula`` uses fixest syntax, e.g.
    ``"trade ~ log(dist) + cntg | exporter^year + importer^year"``;
    ``vcov`` is ``"hetero"`` (heteroskedasticity-robust, the default, as in
    ppmlhdfe; ``"robust"`` is a synonym), ``"iid"`` or ``"cluster:a"`` /
    ``"cluster:a+b"``;
    ``where`` is a sample filter such as ``"exporter != importer"``.
    Raises ``InputError`` for bad input and ``ConvergenceError`` when the
    estimator does not converge.
    """
    cols = list(_native.formula_columns(formula))
    if where:
        cols += list(_native.filter_columns(where))
    for extra in (weights, offset):
        if extra:
            cols.append(extra)
    if vcov.startswith("cluster:"):
        cols += [c for c in vcov[len("cluster:"):].split("+") if c]
    table = to_table(df, cols)
    opt = _native.EstimateOptions()
    opt.formula = formula
    opt.where = where or ""
    fam = family.lower()
    if fam not in ("poisson", "gaussian"):
        raise _native.InputError(f"family must be 'poisson' or 'gaussian', not '{family}'")
    opt.family = _native.Family.POISSON if fam == "poisson" else _native.Family.GAUSSIAN
    opt.vcov = vcov
    if ssc not in ("stata", "fixest"):
        raise _native.InputError(f"ssc must be 'stata' or 'fixest', not '{ssc}'")
    opt.ssc = _native.SmallSample.STATA if ssc == "stata" else _native.SmallSample.FIXEST
    opt.weights = weights or ""
    opt.offset = offset or ""
    opt.tolerance = tol
    opt.max_iterations = max_iter
    opt.threads = threads
    opt.verbose = verbose
    return EstimateResult(_native.estimate(table, opt), df.index)
