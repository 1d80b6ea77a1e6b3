"""rebalance: trade imbalances, overcapacity and trade-policy counterfactuals.

The native layer (``rebalance._native``) mirrors the C++ API one to one; this
package is the friendly, pandas-facing layer on top. Every number comes from
the C++ engine: nothing here re-implements its logic.

Main entry points: :func:`estimate`, :func:`fepois`, :func:`feols` (PPML/OLS
with fixed effects), :func:`etable` (several models side by side),
:func:`read_csv`,
:class:`Baseline` and :func:`simulate` (multi-sector counterfactuals),
:func:`read_io_table`, :func:`diagnose` and :func:`write_diagnose` (value added in trade,
overcapacity), :func:`gravity` (one-sector structural gravity GE).
Errors: :class:`InputError`, :class:`ConvergenceError`,
:class:`NumericalError`, :class:`InternalError` (a C++ exception that escaped
the library: a bug), all subclasses of :class:`RebalanceError`.
"""
from . import _native
from ._native import ConvergenceError, InputError, InternalError, NumericalError, RebalanceError
from .baseline import Baseline, simulate
from .diagnose import diagnose, read_io_table, write_diagnose
from .estimation import EstimateResult, estimate, etable, feols, fepois, read_csv
from .gravity import GravityResult, gravity
from .tariff_war import solve_tariff_war, tariff_war, tariff_war_options, world2023

__version__ = _native.__version__


def default_data_dir() -> str:
    """The folder of the built-in baselines (world2011/...)."""
    return _native.default_data_dir()


__all__ = [
    "estimate", "fepois", "feols", "EstimateResult", "etable", "read_csv",
    "Baseline", "simulate",
    "read_io_table", "diagnose", "write_diagnose",
    "gravity", "GravityResult",
    "tariff_war", "solve_tariff_war", "tariff_war_options", "world2023",
    "default_data_dir",
    "RebalanceError", "InputError", "ConvergenceError", "NumericalError", "InternalError",
]
