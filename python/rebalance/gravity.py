"""rb.gravity: one-sector structural gravity counterfactuals in general
equilibrium from a bilateral flows DataFrame (the C++ ge/gravity.h API)."""
from __future__ import annotations

from typing import Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _native
from ._frames import to_table
from ._tidy import tidy_frame


class GravityResult:
    """The outcome of :func:`gravity`: ``results`` (the tidy DataFrame written by
    ``rebalance gravity`` to gravity.csv), ``countries``, per-country level
    frames ``baseline``, ``conditional``, ``full`` (output, expenditure, price,
    outward, inward, real_gdp) and ``native`` (the C++ GravityResult)."""

    def __init__(self, native, scenario: str, bilateral: bool):
        self.native = native
        self.countries = list(native.countries)
        self.results = tidy_frame(native.to_tidy(scenario, bilateral))
        for stage in ("baseline", "conditional", "full"):
            eq = getattr(native, stage)
            setattr(self, stage, pd.DataFrame(
                {k: np.asarray(getattr(eq, k)) for k in
                 ("output", "expenditure", "price", "outward", "inward", "real_gdp")},
                index=pd.Index(self.countries, name="country")))

    def summary(self) -> str:
        """The solver report printed by ``rebalance gravity``."""
        return self.native.brief_report()

    def __repr__(self) -> str:
        return self.summary()


def _coefficients(estimate, covariates):
    if estimate is None:
        return None, None, None
    if callable(getattr(estimate, "coef", None)) and callable(getattr(estimate, "vcov", None)):
        beta = estimate.coef()
        vcov = estimate.vcov()
    elif isinstance(estimate, (pd.Series, Mapping)):
        beta = pd.Series(estimate, dtype=float)
        vcov = None
    else:
        raise _native.InputError("estimate must be an rb.estimate result, a Series or a dict name -> coefficient")
    # The subset rule and its message are the engine's (rebalance gravity --covariates).
    use = [] if covariates is None else [str(c) for c in covariates]
    if covariates is not None and not use:
        raise _native.InputError("covariates: give at least one coefficient name")
    full = np.zeros((0, 0)) if vcov is None else np.asarray(vcov.loc[beta.index, beta.index], dtype=float)
    names, b, v = _native.select_cost_coefficients([str(n) for n in beta.index], np.asarray(beta, dtype=float),
                                                    full, use, "the estimate")
    names, b = list(names), np.asarray(b, dtype=float)
    v = None if vcov is None else np.asarray(v, dtype=float)
    return names, b, v


def gravity(df: pd.DataFrame, *, sigma: float, reference: str, estimate=None,
            covariates: Optional[Sequence[str]] = None, set: Sequence[str] = (), set_pairs: Sequence[str] = (),
            cost: Optional[str] = None, cost_cf: Optional[str] = None, closure: str = "ratio",
            method: str = "exact", exporter: str = "exporter", importer: str = "importer", flow: str = "trade",
            scenario: str = "gravity", bilateral: bool = True) -> GravityResult:
    """Counterfactual of a trade-cost change in the one-sector structural gravity
    model (baseline resistances, conditional GE and full-endowment GE), as
    ``rebalance gravity`` (docs/gravity_ge.md).

    ``df`` has one row per (exporter, importer) pair with the flow (domestic
    sales included). Trade costs come either from ``estimate`` (an
    :func:`estimate` result or a name -> beta mapping; ``covariates`` picks a
    subset) with changes ``set=["INTL_BRDR=0"]`` (every pair) and
    ``set_pairs=["RTA=1:USA-MEX"]``, or from the columns ``cost`` and
    ``cost_cf`` holding t^(1-sigma) directly. ``closure``: ``"ratio"``,
    ``"additive"`` or ``"balanced"``; ``method``: ``"exact"`` or
    ``"yotov2016"`` (the book's iterative procedure). Raises InputError or
    ConvergenceError.
    """
    names, beta, vcov = _coefficients(estimate, covariates)
    if (names is None) == (cost is None):
        raise _native.InputError("give exactly one of estimate= (covariates x beta) or cost= (t^(1-sigma) column)")
    if cost is not None and (set or set_pairs):
        raise _native.InputError("set/set_pairs change covariates and need estimate=; with cost= give cost_cf=")
    spec = _native.GravityTableSpec()
    spec.exporter, spec.importer, spec.flow = exporter, importer, flow
    cols = [exporter, importer, flow]
    if names is not None:
        spec.covariates = names
        cols += names
    else:
        if cost_cf is None:
            raise _native.InputError("cost= needs cost_cf= with the counterfactual t^(1-sigma)")
        spec.cost_baseline, spec.cost_counterfactual = cost, cost_cf
        cols += [cost, cost_cf]
    inp = _native.gravity_input_from_table(to_table(df, cols), spec)
    if names is not None:
        cc = inp.covariates
        cc.beta = beta
        if vcov is not None:
            cc.vcov = vcov
        changes = [_native.parse_covariate_change(s) for s in set]
        for s in set_pairs:
            c = _native.parse_covariate_change(s)
            if not c.pairs:
                raise _native.InputError(f"set_pairs '{s}' names no pairs (NAME=VALUE:A-B,C>D)")
            changes.append(c)
        cc = _native.apply_covariate_changes(inp.data.countries, changes, cc)
        costs = cc.costs(cc.beta)
    else:
        costs = inp.costs
    opt = _native.GravityOptions()
    opt.sigma = float(sigma)
    opt.reference = reference
    opt.closure = _native.deficit_closure_from_string(closure)
    opt.full_method = _native.full_ge_method_from_string(method)
    return GravityResult(_native.run_gravity(inp.data, costs, opt), scenario, bilateral)
