"""Conversion between pandas DataFrames and the engine's Table."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _native


def to_table(df: pd.DataFrame, columns=None) -> "_native.Table":
    """Converts the named columns of ``df`` into a native Table.

    Numeric columns are copied once into contiguous float64/int64 arrays;
    string, object and categorical identifiers travel as (int32 codes,
    categories), so no per-row Python string reaches the engine. Missing
    values (NaN, None, pd.NA) become explicit missing cells.
    """
    if not isinstance(df, pd.DataFrame):
        raise _native.InputError(f"expected a pandas DataFrame, got {type(df).__name__}")
    names = list(df.columns) if columns is None else list(dict.fromkeys(columns))
    table = _native.Table()
    for name in names:
        if name not in df.columns:
            close = _nearest(str(name), [str(c) for c in df.columns])
            raise _native.InputError(f"unknown column '{name}' in the DataFrame; did you mean '{close}'?")
        _add_column(table, str(name), df[name])
    return table


def _add_column(table, name: str, s: pd.Series) -> None:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy(dtype=np.int32)
        cats = [str(c) for c in s.cat.categories]
        table.add_codes(name, codes, cats)
    elif pd.api.types.is_bool_dtype(dtype):
        if s.isna().any():
            table.add_int(name, s.fillna(False).astype(np.int64).to_numpy(), s.isna().to_numpy())
        else:
            table.add_int(name, s.to_numpy(dtype=np.int64))
    elif pd.api.types.is_integer_dtype(dtype):
        if pd.api.types.is_extension_array_dtype(dtype):  # nullable Int64 etc.
            mask = s.isna().to_numpy()
            table.add_int(name, s.fillna(0).to_numpy(dtype=np.int64), mask if mask.any() else None)
        else:
            table.add_int(name, s.to_numpy(dtype=np.int64))
    elif pd.api.types.is_float_dtype(dtype):
        table.add_float(name, s.to_numpy(dtype=np.float64, na_value=np.nan))
    elif pd.api.types.is_string_dtype(dtype) or dtype == object:
        values = s.to_numpy(dtype=object)
        bad = [v for v in values[:1000] if not (v is None or isinstance(v, str) or (isinstance(v, float) and np.isnan(v)) or v is pd.NA)]
        if bad or not all(isinstance(v, str) or v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) for v in values):
            raise _native.InputError(
                f"column '{name}' has dtype object with non-string values (e.g. {bad[0]!r} of type {type(bad[0]).__name__}); "
                "convert it to str, a number or a categorical" if bad else
                f"column '{name}' has dtype object with non-string values; convert it to str, a number or a categorical")
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        table.add_codes(name, codes.astype(np.int32), [str(u) for u in uniques])
    else:
        raise _native.InputError(f"column '{name}' has unsupported dtype {dtype}; use numbers, strings or categoricals")


def _nearest(name: str, candidates) -> str:
    best, best_d = "", 1 << 30
    for c in candidates:
        d = _edit(name.lower(), c.lower())
        if d < best_d:
            best, best_d = c, d
    return best


def _edit(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
