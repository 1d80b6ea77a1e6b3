"""rebalance: trade imbalances, overcapacity and trade-policy counterfactuals.

The native layer (``rebalance._native``) mirrors the C++ API one to one; this
package is the friendly, pandas-facing layer on top. Every number comes from
the C++ engine: nothing here re-implements its logic.
"""
from . import _native
from ._native import ConvergenceError, InputError, NumericalError, RebalanceError
from .estimation import EstimateResult, estimate

__version__ = _native.__version__

__all__ = [
    "estimate", "EstimateResult",
    "RebalanceError", "InputError", "ConvergenceError", "NumericalError",
]
