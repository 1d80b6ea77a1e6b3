"""Tidy result tables (native TidyTable) as pandas DataFrames."""
from __future__ import annotations

import pandas as pd

# `unit` is the unit of baseline and counterfactual; pct_change is in percent.
TIDY_COLUMNS = ["scenario", "country", "partner", "sector", "variable", "unit", "baseline", "counterfactual",
                "pct_change"]


def tidy_frame(table) -> pd.DataFrame:
    """The columns of a native TidyTable as a DataFrame (empty partner/sector as "")."""
    cols = table.columns()
    return pd.DataFrame({k: cols[k] for k in TIDY_COLUMNS})
