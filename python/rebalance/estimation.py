"""rb.estimate, rb.fepois, rb.feols: PPML / OLS with high-dimensional fixed
effects from pandas, with pyfixest's result methods."""
from __future__ import annotations

import json
import math
from statistics import NormalDist
from typing import Dict, Optional

import numpy as np
import pandas as pd

from . import _native
from ._frames import to_table



class EstimateResult:
    """The result of :func:`estimate` / :func:`fepois` / :func:`feols`.

    Methods, as pyfixest's: ``coef()``, ``se()``, ``tstat()``, ``pvalue()``,
    ``confint(alpha)``, ``tidy()``, ``vcov()``, ``summary()``, ``fixef()``,
    ``fitted()``, ``resid()``, ``predict(newdata)``. Inference is normal
    (z statistics, as ppmlhdfe and the engine's table). Attributes: ``nobs``,
    ``dropped`` (dict of counts by reason, the keys of the JSON's "dropped":
    missing, singleton, separated, filtered, zero_weight), ``vcov_type``,
    ``loglik``, ``deviance``, ``pseudo_r2``, ``iterations``, ``converged``,
    ``collinear``, ``family``, ``formula``, ``iteration_log`` (one record per
    step: ``kind``, ``step``, ``deviance``, ``eps``, ``inner_iterations``,
    ``seconds``, ``text`` as ``rebalance estimate`` prints it).
    """

    def __init__(self, native: "_native.EstimateResult", df: pd.DataFrame, formula: str, family: str,
                 offset: Optional[str]):
        self._native = native
        self._df = df
        self._offset = offset
        self.formula = formula
        self.family = family
        names = [c.name for c in native.coefficients]
        self._names = pd.Index(names, name="Coefficient")
        self._beta = np.array([c.estimate for c in native.coefficients], dtype=float)
        self._se = np.array([c.std_error for c in native.coefficients], dtype=float)
        self._z = np.array([c.z for c in native.coefficients], dtype=float)
        self._p = np.array([c.p_value for c in native.coefficients], dtype=float)
        self._vcov = pd.DataFrame(np.asarray(native.vcov, dtype=float).reshape(len(names), len(names)),
                                  index=names, columns=names)
        self.nobs = int(native.nobs)
        self.dropped = {k: int(v) for k, v in json.loads(native.to_json())["dropped"].items()}
        self.loglik = native.loglik
        self.deviance = native.deviance
        self.pseudo_r2 = native.pseudo_r2
        self.iterations = native.iterations
        self.iteration_log = list(native.iteration_log)
        self.converged = native.converged
        self.collinear = list(native.collinear)
        self.vcov_type = native.vcov_type
        self._design_df = None
        self._design = None

    # Coefficients and inference -------------------------------------------
    def coef(self) -> pd.Series:
        """Estimates, indexed by the formula's terms as written (``log(dist)``)."""
        return pd.Series(self._beta, index=self._names, name="Estimate")

    def se(self) -> pd.Series:
        """Standard errors of the variance chosen at fit time (``vcov_type``)."""
        return pd.Series(self._se, index=self._names, name="Std. Error")

    def tstat(self) -> pd.Series:
        """Estimate / standard error (a z statistic: inference is normal)."""
        return pd.Series(self._z, index=self._names, name="z value")

    def pvalue(self) -> pd.Series:
        """Two-sided p-values from the standard normal: 2 (1 - Phi(|z|))."""
        return pd.Series(self._p, index=self._names, name="Pr(>|z|)")

    def confint(self, alpha: float = 0.05) -> pd.DataFrame:
        """Normal (1 - alpha) confidence intervals: estimate -/+ z_(1-alpha/2) se."""
        if not (0 < alpha < 1):
            raise _native.InputError(f"confint: alpha must be in (0, 1), got {alpha}")
        q = NormalDist().inv_cdf(1 - alpha / 2)
        lo, hi = f"{100 * alpha / 2:g}%", f"{100 * (1 - alpha / 2):g}%"
        return pd.DataFrame({lo: self._beta - q * self._se, hi: self._beta + q * self._se}, index=self._names)

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per coefficient: Estimate, Std. Error, z value, Pr(>|z|) and
        the (1 - alpha) confidence interval (pyfixest's layout)."""
        return pd.concat([self.coef(), self.se(), self.tstat(), self.pvalue(), self.confint(alpha)], axis=1)

    def vcov(self) -> pd.DataFrame:
        """The coefficients' variance matrix (type ``vcov_type``, chosen at fit
        time with ``vcov=``; pyfixest's ``vcov("hetero")`` re-computation is not
        offered: fit again)."""
        return self._vcov.copy()

    def summary(self) -> str:
        """The coefficient table, as printed by ``rebalance estimate``; its first
        line names the family and the variance type."""
        return self._native.full_report()

    def to_json(self) -> str:
        """The stable JSON schema of ``rebalance estimate --json``."""
        return self._native.to_json()

    # Fixed effects, fitted values, residuals, prediction ------------------
    def fixef(self) -> Dict[str, pd.Series]:
        """Fixed-effect estimates: a Series per dimension (``"exporter^year"``),
        indexed by group label (``"USA^1990"``). The first group of every
        dimension after the first is 0; with no fixed effects, the intercept is
        the dimension ``"(Intercept)"``."""
        return {fe.name: pd.Series(list(fe.values), index=list(fe.labels), name=fe.name, dtype=float)
                for fe in self._native.fixed_effects}

    def fitted(self) -> pd.Series:
        """Fitted values (mu for Poisson, xb for Gaussian) aligned to the input
        DataFrame's index; NaN on rows outside the estimation sample (dropped
        rows are counted in ``dropped``)."""
        out = np.full(len(self._df.index), np.nan)
        out[np.asarray(self._native.sample_rows, dtype=np.int64)] = np.asarray(self._native.fitted)
        return pd.Series(out, index=self._df.index, name="fitted")

    def resid(self) -> pd.Series:
        """Response residuals y - fitted, aligned like :meth:`fitted` (NaN outside
        the estimation sample)."""
        lhs = self.formula.split("~", 1)[0].strip()
        y = pd.to_numeric(self._df[lhs], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(y - self.fitted().to_numpy(), index=self._df.index, name="resid")

    def predict(self, newdata: Optional[pd.DataFrame] = None, type: str = "response") -> pd.Series:
        """Predictions for ``newdata`` (default: the estimation DataFrame) from
        the estimated coefficients and fixed effects:
        eta = x'b + offset + the fixed effects of the row's groups, and
        ``type="response"`` gives exp(eta) for Poisson (eta for Gaussian),
        ``type="link"`` gives eta. A row with a fixed-effect level not seen in
        the estimation sample, or a missing regressor (log of a value <= 0
        included), gets NaN. Aligned to ``newdata``'s index."""
        if type not in ("response", "link"):
            raise _native.InputError(f"predict: type must be 'response' or 'link', not '{type}'")
        df = self._df if newdata is None else newdata
        if not isinstance(df, pd.DataFrame):
            raise _native.InputError(f"predict: newdata must be a DataFrame, got {df.__class__.__name__}")
        eta = np.zeros(len(df.index))
        for name, b in zip(self._names, self._beta):
            eta += b * self._term(df, name)
        if self._offset:
            eta += self._numeric(df, self._offset)
        for fe in self._native.fixed_effects:
            values = pd.Series(list(fe.values), index=list(fe.labels), dtype=float)
            if fe.name == "(Intercept)" and list(fe.labels) == ["(Intercept)"]:
                eta += values.iloc[0]
                continue
            labels = self._labels(df, fe.name.split("^"))
            eta += values.reindex(labels).to_numpy()
        if type == "response" and self.family == "poisson":
            eta = np.exp(eta)
        return pd.Series(eta, index=df.index, name="predict")

    def __repr__(self) -> str:
        return self.summary()

    # Helpers of predict ----------------------------------------------------
    @staticmethod
    def _numeric(df: pd.DataFrame, col: str) -> np.ndarray:
        if col not in df.columns:
            raise _native.InputError(f"predict: newdata has no column '{col}'")
        return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def _term(self, df: pd.DataFrame, name: str) -> np.ndarray:
        # The design columns of the formula on newdata, computed by the engine
        # (data::ExpandRegressors: interactions, functions, i() dummies). A
        # dummy of an i() level that newdata does not hold is 0 on every row.
        if self._design_df is not df:
            cols = [c for c in _native.formula_columns(self.formula)]
            lhs = self.formula.split("~", 1)[0].strip()
            present = [c for c in cols if c != lhs or c in df.columns]
            for c in present:
                if c not in df.columns and c != lhs:
                    raise _native.InputError(f"predict: newdata has no column '{c}'")
            formula = self.formula if lhs in df.columns else "__y__ ~" + self.formula.split("~", 1)[1]
            frame = df if lhs in df.columns else df.assign(__y__=0.0)
            table = to_table(frame, [c for c in present if c != lhs] + [lhs if lhs in df.columns else "__y__"])
            self._design = _native.design_columns(table, formula, True)
            self._design_df = df
        if name in self._design:
            return np.asarray(self._design[name], dtype=float)
        if "::" in name:
            return np.zeros(len(df.index))
        raise _native.InputError(f"predict: no design column '{name}' in newdata")

    @staticmethod
    def _labels(df: pd.DataFrame, columns) -> list:
        # Group labels as the engine writes them: integers in decimal, text as
        # it is, parts of an interaction joined by '^'. A missing value gives a
        # label no group has (NaN prediction).
        parts = []
        for col in columns:
            if col not in df.columns:
                raise _native.InputError(f"predict: newdata has no column '{col}'")
            parts.append([_label(v) for v in df[col].tolist()])
        return ["^".join(p) if all(x is not None for x in p) else "\0missing" for p in zip(*parts)]


def _label(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def estimate(df: pd.DataFrame, formula: str, *, family: str = "poisson", vcov: str = "hetero",
             where: Optional[str] = None, weights: Optional[str] = None, offset: Optional[str] = None,
             ssc: str = "stata", tol: Optional[float] = None, max_iter: Optional[int] = None,
             threads: int = 0, verbose: bool = False, **options) -> EstimateResult:
    """Estimates a gravity equation by PPML (``family="poisson"``) or OLS
    (``family="gaussian"``) with high-dimensional fixed effects.

    ``formula`` uses fixest syntax, e.g.
    ``"trade ~ log(dist) + cntg | exporter^year + importer^year"``;
    ``vcov`` is ``"hetero"`` (heteroskedasticity-robust, the default, as in
    ppmlhdfe; ``"robust"`` is a synonym), ``"iid"`` or ``"cluster:a"`` /
    ``"cluster:a+b"``;
    ``where`` is a sample filter such as ``"exporter != importer"``.
    ``family``, ``vcov``, ``ssc``, ``threads`` and the other keywords
    (``tolerance``, ``max_iterations``, ``demean_tolerance``,
    ``max_demean_iterations``, ``check_separation``,
    ``max_separation_iterations``, ``drop_singletons``) are the options
    registry's (``rebalance options``, docs/options.md), checked by the
    engine with the same words as the CLI; ``tol`` and ``max_iter`` are
    short names of ``tolerance`` and ``max_iterations``.
    Raises ``InputError`` for bad input and ``ConvergenceError`` when the
    estimator does not converge. A formula with ``sw()`` or ``csw()`` gives
    several models: the result is then a list of results, one per model
    (compare them with :func:`etable`).
    """
    for short, name, value in (("tol", "tolerance", tol), ("max_iter", "max_iterations", max_iter)):
        if value is not None:
            if name in options:
                raise _native.InputError(f"give {short} or {name}, not both")
            options[name] = value
    models = list(_native.formula_expand(formula))
    if len(models) > 1:
        return [estimate(df, m, family=family, vcov=vcov, where=where, weights=weights, offset=offset,
                         ssc=ssc, threads=threads, verbose=verbose, **options)
                for m in models]
    opt = _native.EstimateOptions()
    opt.formula = formula
    opt.where = where or ""
    # The registry checks every option (same names, bounds and words as the CLI).
    for name, value in dict(family=family, vcov=vcov, ssc=ssc, threads=threads, **options).items():
        opt.set(name, value)
    cols = list(_native.formula_columns(formula))
    if where:
        cols += list(_native.filter_columns(where))
    for extra in (weights, offset):
        if extra:
            cols.append(extra)
    if vcov.startswith("cluster:"):
        cols += [c for c in vcov[len("cluster:"):].split("+") if c]
    table = to_table(df, cols)
    opt.weights = weights or ""
    opt.offset = offset or ""
    opt.verbose = verbose
    return EstimateResult(_native.estimate(table, opt), df, formula, opt.get("family"), offset)


def fepois(fml: str, data: pd.DataFrame, vcov: str = "hetero", **kwargs) -> EstimateResult:
    """PPML with fixed effects, pyfixest's ``fepois(fml, data, vcov=...)``:
    :func:`estimate` with ``family="poisson"`` (same keywords: where, weights,
    offset, verbose and the options registry's: ssc, tolerance (tol),
    max_iterations (max_iter), demean_tolerance, drop_singletons, threads, ...;
    docs/options.md)."""
    return estimate(data, fml, family="poisson", vcov=vcov, **kwargs)


def feols(fml: str, data: pd.DataFrame, vcov: str = "hetero", **kwargs) -> EstimateResult:
    """OLS with fixed effects, pyfixest's ``feols(fml, data, vcov=...)``:
    :func:`estimate` with ``family="gaussian"``."""
    return estimate(data, fml, family="gaussian", vcov=vcov, **kwargs)


def etable(fits, type: str = "text", model_names=None, digits: int = 4) -> str:
    """Several estimates side by side, as fixest's ``etable`` and the CLI's
    comparison table (``rebalance estimate -f ... -f ...``; the same C++
    code): coefficients with stars (*** p < 0.01, ** p < 0.05, * p < 0.1),
    standard errors in parentheses, fixed effects (Yes/No), standard-error
    type, observations and fit statistics. ``type``: ``"text"``, ``"csv"``,
    ``"latex"`` or ``"markdown"``; ``model_names`` default to (1), (2), ..."""
    if isinstance(fits, EstimateResult):
        fits = [fits]
    fits = list(fits)
    for f in fits:
        if not isinstance(f, EstimateResult):
            raise _native.InputError(f"etable: expected rb.estimate results, got {f.__class__.__name__}")
    return _native.etable([f._native for f in fits], type, list(model_names or []), int(digits))


def read_csv(path: str, sep: str = "auto", threads: int = 0) -> pd.DataFrame:
    """Reads a CSV or CSV.gz file with the engine's reader (the one
    ``rebalance estimate`` uses): ``sep`` is ``","``, ``";"``, ``"tab"``,
    ``"|"`` or ``"auto"`` (detected from the header line; a one-column
    header holding another separator is refused with a message naming it).
    Text columns come back as object columns with None for missing cells."""
    table = _native.read_csv(path, threads, sep)
    return pd.DataFrame({name: table.column_values(name) for name in table.column_names})
