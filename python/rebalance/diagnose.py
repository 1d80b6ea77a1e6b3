"""rb.read_io_table and rb.diagnose: value-added balances, overcapacity
indicators and the KWW decomposition of an input-output table."""
from __future__ import annotations

import os
from typing import Dict, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _native


def read_io_table(path, format: Optional[str] = None, year: Optional[int] = None, map=None) -> "_native.IoTable":
    """Reads a multi-regional IO table: ``format`` is ``"wiod"``, ``"icio"``,
    ``"long"`` or ``"decompr"`` (None: detected from the first line); ``year``
    defaults to the one in the file name; ``map`` (a mapping CSV kind,from,to)
    aggregates countries/sectors. Returns the native IoTable (``z``, ``f``,
    ``x``, ``v`` are numpy arrays). Raises InputError naming the file and line."""
    table = _native.read_io_table(os.fspath(path), format or "", int(year or 0))
    if map is not None:
        table = table.aggregate(_native.read_mapping(os.fspath(map)))
    return table


def _opt(v):
    return np.nan if v is None else v


def diagnose(table: Union["_native.IoTable", Sequence["_native.IoTable"]]) -> Dict[str, pd.DataFrame]:
    """Diagnoses an IO table (or a list of the same table in several years; the
    balances and KWW terms are of the latest year, the overcapacity changes
    span first to last year).

    Returns a dict of DataFrames:
    ``"balances"``: every ordered pair's gross and value-added exports, imports
    and balances (Johnson & Noguera 2012 value added in final demand);
    ``"overcapacity"``: indicators per country x sector, with the columns of
    overcapacity.csv (docs/io_tables.md), ranked within each sector group by
    output above domestic absorption in millions of USD (rank 1 = largest;
    ``flags`` joined with ``;``);
    ``"kww"``: Koopman, Wang & Wei (2014) nine-term decomposition of each
    country's gross exports with DVA/VAX/FVA/PDC.
    """
    tables = list(table) if isinstance(table, (list, tuple)) else [table]
    if not tables or not all(isinstance(t, _native.IoTable) for t in tables):
        raise _native.InputError("diagnose expects an IoTable (rb.read_io_table) or a list of them")
    latest = max(tables, key=lambda t: t.year)
    system = _native.build_leontief(latest)
    tiva = _native.compute_tiva(system)
    bal = _native.bilateral_balances(system, tiva)
    balances = pd.DataFrame({
        "reporter": [b.reporter for b in bal],
        "partner": [b.partner for b in bal],
        "gross_exports": [b.gross_exports for b in bal],
        "gross_imports": [b.gross_imports for b in bal],
        "gross_balance": [b.gross_balance for b in bal],
        "va_exports": [b.va_exports for b in bal],
        "va_imports": [b.va_imports for b in bal],
        "va_balance": [b.va_balance for b in bal],
    })
    oc = _native.compute_overcapacity(tables, _native.OvercapacityOptions())
    # Column names as in overcapacity.csv: _musd millions of USD, _share fractions in [0, 1], _ratio ratios.
    fields = {"output_musd": "output", "exports_musd": "exports", "imports_musd": "imports",
              "absorption_musd": "absorption", "excess_output_musd": "excess_output",
              "exports_dva_musd": "exports_dva", "excess_output_dva_musd": "excess_output_dva",
              "clipped_negative_musd": "clipped_negative", "export_share": "export_share",
              "import_share": "import_share", "dva_share": "dva_share",
              "foreign_final_demand_share": "foreign_final_demand_share",
              "world_output_share": "world_output_share", "world_absorption_share": "world_absorption_share",
              "world_export_share": "world_export_share", "self_sufficiency_ratio": "self_sufficiency",
              "rca_ratio": "rca", "net_exports_over_output_ratio": "net_exports_over_output",
              "d_excess_output_musd": "d_excess_output", "d_self_sufficiency_ratio": "d_self_sufficiency",
              "d_export_share": "d_export_share", "d_world_output_share": "d_world_output_share",
              "d_world_export_share": "d_world_export_share", "imbalance_share": "imbalance_share"}
    over = pd.DataFrame({"year": [r.year for r in oc.rows], "group": [r.group for r in oc.rows],
                         "rank": [r.rank for r in oc.rows], "country": [r.country for r in oc.rows],
                         "sector": [r.sector for r in oc.rows]})
    for col, f in fields.items():
        over[col] = np.array([_opt(getattr(r, f)) for r in oc.rows], dtype=float)
    over["flags"] = [";".join(r.flags) for r in oc.rows]
    kww = _native.compute_kww(system)
    names = list(_native.KwwResult.term_names())
    k = pd.DataFrame({"country": [c.country for c in kww.countries],
                      "gross_exports": [c.gross_exports for c in kww.countries]})
    terms = np.array([list(c.terms) for c in kww.countries], dtype=float).reshape(len(kww.countries), len(names))
    for i, name in enumerate(names):
        k[name] = terms[:, i]
    for f in ("dva", "vax", "fva", "pdc"):
        k[f] = [getattr(c, f)() for c in kww.countries]
    return {"balances": balances, "overcapacity": over, "kww": k}


def write_diagnose(table: Union["_native.IoTable", Sequence["_native.IoTable"]], out, *, wwz: bool = False,
                   top: int = 10, output_basis: str = "row_sums", zero_output: str = "drop_inputs",
                   overcapacity: Optional["_native.OvercapacityOptions"] = None, force: bool = False) -> str:
    """Writes into the folder ``out`` the files `rebalance diagnose --out OUT` writes, byte for byte the same
    (balances.csv, kww.csv, tiva.csv, overcapacity.csv, overcapacity_panel.csv, validation.csv, diagnose.json,
    and wwz.csv with ``wwz=True``; layouts in docs/io_tables.md), for a table or a list of years of one table
    (oldest first; rb.read_io_table, or _native.read_wiod_years for a WIOD folder). ``top`` is the summary's and
    diagnose.json's list length (``--top``); ``overcapacity`` (an OvercapacityOptions) sets the ranking and flag
    thresholds (``--rank-by``, ``--all-sectors``: ``rank_by_group = False``, ``--...-threshold``). Refuses to
    overwrite existing files unless ``force``. Returns the summary the command prints (without its last line,
    "Wrote N files to OUT"). Raises InputError on bad options or files."""
    tables = list(table) if isinstance(table, (list, tuple)) else [table]
    options = _native.DiagnoseOptions()
    options.output_basis = output_basis
    options.zero_output = zero_output
    options.wwz = bool(wwz)
    options.top = int(top)
    if overcapacity is not None:
        options.overcapacity = overcapacity
    outputs = _native.diagnose_outputs(tables, options)
    _native.write_diagnose_files(outputs, os.fspath(out), bool(force))
    return outputs.summary.decode("utf-8", errors="replace")
