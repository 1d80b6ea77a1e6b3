"""Tidy result tables (native TidyTable) as pandas DataFrames."""
from __future__ import annotations

import numpy as np
import pandas as pd

# `unit` is the unit of baseline and counterfactual; pct_change is in percent.
TIDY_COLUMNS = ["scenario", "country", "partner", "sector", "variable", "unit", "baseline", "counterfactual",
                "pct_change"]


def tidy_frame(table) -> pd.DataFrame:
    """The columns of a native TidyTable as a DataFrame. A row about a country
    as a whole has no partner, and one over all sectors no sector: those cells
    are NaN, as ``pd.read_csv`` reads the empty cells of the CLI's CSV files
    (select them with ``res.partner.isna()``)."""
    cols = table.columns()
    df = pd.DataFrame({k: cols[k] for k in TIDY_COLUMNS})
    for k in ("partner", "sector"):
        df[k] = df[k].replace("", np.nan)
    return df
