"""rb.tariff_war: the tariff-war model of Ignatenko, Macedoni, Lashkaripour &
Simonovska (2025, Journal of International Economics 157, 104138) on the
built-in world2023 baseline (the C++ ge/tariff_war.h API; docs/tariff_war.md).

Two ways in:
- ``tariff_war(path)`` runs a scenario file with ``[model] type = "tariff_war"``
  (what ``rebalance run`` does) and returns the tidy DataFrame;
- ``solve_tariff_war(tariffs, **options)`` solves one equilibrium for a
  tariff matrix (a DataFrame indexed by exporter with importer columns, or
  an array in the baseline's country order).
"""
from __future__ import annotations

import os
from typing import Optional, Union

import numpy as np
import pandas as pd

from . import _native
from ._tidy import tidy_frame

_ENUMS = {
    "revenue": _native.revenue_use_from_string,
    "deficit": _native.deficit_scaling_from_string,
    "numeraire": _native.tariff_war_numeraire_from_string,
}


def tariff_war_options(**options) -> "_native.TariffWarOptions":
    """TariffWarOptions from keywords named as the scenario file's [model] keys
    (epsilon, kappa, psi, theta, pass_through, nu_in_pass_through, revenue,
    deficit, numeraire) plus the solver's (tolerance, max_iterations,
    anderson_memory, damping). Strings for the three rules."""
    o = _native.TariffWarOptions()
    for key, value in options.items():
        if not hasattr(o, key):
            raise _native.InputError(f"unknown tariff_war option '{key}'")
        setattr(o, key, _ENUMS[key](value) if key in _ENUMS and isinstance(value, str) else value)
    o.validate()
    return o


def world2023(data_dir: Optional[str] = None) -> "_native.World2023":
    """The built-in world2023 baseline (194 countries, goods, 2023, thousand USD)."""
    return _native.load_world2023(os.path.join(data_dir or _native.default_data_dir(), "world2023"))


def tariff_war(path: str, data_dir: Optional[str] = None) -> pd.DataFrame:
    """Runs every scenario of a tariff_war scenario file; the tidy results."""
    f = _native.parse_scenario_file(path)
    opt = _native.RunOptions()
    if data_dir:
        opt.data_dir = data_dir
    return tidy_frame(_native.run_tariff_war(f, opt).results)


def solve_tariff_war(tariffs: Union[pd.DataFrame, np.ndarray], scenario: str = "scenario",
                     world=None, **options) -> pd.DataFrame:
    """Solves one equilibrium on world2023 (or ``world``) for tariffs
    t[exporter, importer] and returns the tidy rows (countries and the groups
    non-US, EU, EU27, RoW). Raises ConvergenceError if the solve does not
    converge."""
    w = world or world2023()
    b = w.baseline
    countries = list(b.countries)
    if isinstance(tariffs, pd.DataFrame):
        t = tariffs.reindex(index=countries, columns=countries).fillna(0.0).to_numpy(dtype=float)
    else:
        t = np.asarray(tariffs, dtype=float)
    r = _native.solve_tariff_war(b, t, tariff_war_options(**options))
    if not r.converged():
        raise _native.ConvergenceError(f"tariff_war: {r.brief_report()} {r.message}")
    groups = []
    index = {c: i for i, c in enumerate(countries)}
    non_us = _native.TariffWarGroup()
    non_us.name, non_us.members = "non-US", [i for c, i in index.items() if c != "USA"]
    groups.append(non_us)
    for name, members in w.groups.items():
        g = _native.TariffWarGroup()
        g.name, g.members = name, [index[m] for m in members]
        groups.append(g)
    return tidy_frame(_native.tariff_war_tidy(scenario, b, r, groups))
