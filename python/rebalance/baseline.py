"""rb.Baseline: a calibrated multi-sector baseline, and rb.simulate."""
from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Union

import numpy as np
import pandas as pd

from . import _native, _toml
from ._tidy import tidy_frame


def _run_options(data_dir: Optional[str] = None, bilateral: bool = True) -> "_native.RunOptions":
    opt = _native.RunOptions()
    if data_dir:
        opt.data_dir = os.fspath(data_dir)
    opt.bilateral = bilateral
    return opt


class Baseline:
    """A consistent (solved) multi-sector baseline, loaded and calibrated by the
    same code path as a scenario file's ``[baseline]`` table (``LoadBaseline``),
    so simulations on it give the numbers ``rebalance run`` gives.

    Build one with :meth:`from_wiod`, :meth:`from_icio`, :meth:`from_long`,
    :meth:`from_caliendo_parro` or :meth:`builtin`.
    """

    def __init__(self, loaded: "_native.LoadedBaseline", source: "_native.BaselineSource"):
        self._loaded = loaded
        self._source = source
        self.native = loaded.baseline

    # -- constructors -----------------------------------------------------
    @classmethod
    def _load(cls, kind, *, path: str = "", builtin: str = "world2011", year: Optional[int] = None,
              map: Optional[str] = None, theta: Optional[str] = None, tariffs: Optional[str] = None,
              zero_deficit_baseline: bool = False, data_dir: Optional[str] = None) -> "Baseline":
        src = _native.BaselineSource()
        src.kind = kind
        src.builtin = builtin
        src.path = os.fspath(path) if path else ""
        src.year = int(year or 0)
        src.map = os.fspath(map) if map else ""
        src.theta = os.fspath(theta) if theta else ""
        src.tariffs = os.fspath(tariffs) if tariffs else ""
        src.zero_deficit_baseline = bool(zero_deficit_baseline)
        return cls(_native.load_baseline(src, _run_options(data_dir)), src)

    @classmethod
    def from_wiod(cls, path, year: Optional[int] = None, map=None, theta=None, tariffs=None,
                  zero_deficit_baseline: bool = False) -> "Baseline":
        """A baseline from a WIOD world input-output table (``WIOT2011_Nov16_ROW.csv[.gz]``).

        ``year`` defaults to the one in the file name; ``map`` is an optional
        aggregation mapping CSV (kind,from,to); ``theta`` a sector,theta CSV
        (required by the engine for IO tables); ``tariffs`` an optional
        importer,exporter,sector,tariff CSV. Raises InputError on bad files.
        """
        return cls._load(_native.BaselineKind.WIOD, path=path, year=year, map=map, theta=theta, tariffs=tariffs,
                         zero_deficit_baseline=zero_deficit_baseline)

    @classmethod
    def from_icio(cls, path, theta=None, map=None, year: Optional[int] = None, tariffs=None,
                  zero_deficit_baseline: bool = False) -> "Baseline":
        """A baseline from an OECD ICIO table (arguments as :meth:`from_wiod`)."""
        return cls._load(_native.BaselineKind.ICIO, path=path, year=year, map=map, theta=theta, tariffs=tariffs,
                         zero_deficit_baseline=zero_deficit_baseline)

    @classmethod
    def from_long(cls, path, theta=None, map=None, year: Optional[int] = None, tariffs=None,
                  zero_deficit_baseline: bool = False) -> "Baseline":
        """A baseline from a long-format IO table CSV (arguments as :meth:`from_wiod`)."""
        return cls._load(_native.BaselineKind.LONG, path=path, year=year, map=map, theta=theta, tariffs=tariffs,
                         zero_deficit_baseline=zero_deficit_baseline)

    @classmethod
    def from_caliendo_parro(cls, path, tidy: bool = False, tariffs=None,
                            zero_deficit_baseline: bool = False) -> "Baseline":
        """A baseline from Caliendo & Parro (2015) replication matrices (``tidy=False``,
        the folder of their .txt files) or the tidy CSV export (``tidy=True``)."""
        kind = _native.BaselineKind.CP_TIDY if tidy else _native.BaselineKind.CP
        return cls._load(kind, path=path, tariffs=tariffs, zero_deficit_baseline=zero_deficit_baseline)

    @classmethod
    def builtin(cls, name: str = "world2011", data_dir=None, zero_deficit_baseline: bool = False) -> "Baseline":
        """A built-in baseline (``"world2011"``: WIOD 2011 aggregated, shipped in data/)."""
        return cls._load(_native.BaselineKind.BUILTIN, builtin=name, data_dir=data_dir,
                         zero_deficit_baseline=zero_deficit_baseline)

    # -- views ------------------------------------------------------------
    @property
    def countries(self) -> list:
        """Country labels, in model order."""
        return list(self.native.countries)

    @property
    def sectors(self) -> list:
        """Sector labels, in model order."""
        return list(self.native.sectors)

    @property
    def currency_unit(self) -> str:
        """Units of every value variable."""
        return self.native.currency_unit

    @property
    def theta(self) -> pd.Series:
        """Trade elasticity by sector."""
        return pd.Series(np.asarray(self.native.theta), index=pd.Index(self.sectors, name="sector"), name="theta")

    @property
    def deficits(self) -> pd.Series:
        """Trade deficit (imports - exports) by country, in ``currency_unit``."""
        return pd.Series(np.asarray(self.native.deficit), index=pd.Index(self.countries, name="country"),
                         name="deficit")

    @property
    def flows(self) -> pd.DataFrame:
        """Bilateral flows by sector (producer prices net of tariffs, domestic sales
        included) and the tariff rate: columns sector, importer, exporter, flow, tariff."""
        c, s = self.countries, self.sectors
        n, j = len(c), len(s)
        flow = np.asarray(self.native.flow)
        tariff = np.asarray(self.native.tariff)
        cc = pd.Categorical.from_codes
        return pd.DataFrame({
            "sector": cc(np.repeat(np.arange(j), n * n), categories=s),
            "importer": cc(np.tile(np.repeat(np.arange(n), n), j), categories=c),
            "exporter": cc(np.tile(np.arange(n), n * j), categories=c),
            "flow": flow,
            "tariff": tariff if tariff.size == flow.size else np.zeros_like(flow),
        })

    @property
    def io_table(self) -> Optional["_native.IoTable"]:
        """The IO table the baseline was built from (None for Caliendo-Parro inputs)."""
        return self._loaded.io

    @property
    def provenance(self) -> dict:
        """Where the numbers came from (key -> value), as in run.json."""
        return dict(self._loaded.provenance)

    @property
    def notes(self) -> list:
        """Calibration notes (e.g. clipped inventory cells)."""
        return list(self._loaded.notes)

    def __repr__(self) -> str:
        return f"<rebalance.Baseline: {len(self.countries)} countries x {len(self.sectors)} sectors, {self.currency_unit}>"


def _parse(scenario: Union[Mapping[str, Any], str, os.PathLike]) -> "_native.ScenarioFile":
    if isinstance(scenario, Mapping):
        return _native.parse_scenario(_toml.dumps(scenario), "<scenario dict>")
    if isinstance(scenario, (str, os.PathLike)):
        return _native.parse_scenario_file(os.fspath(scenario))
    raise _native.InputError(f"scenario must be a dict or a TOML path, not {type(scenario).__name__}")


def simulate(baseline: Optional[Baseline], scenario: Union[Mapping[str, Any], str, os.PathLike], *,
             bilateral: bool = True, data_dir=None) -> pd.DataFrame:
    """Runs the scenarios of ``scenario`` and returns the tidy results DataFrame
    (scenario, country, partner, sector, variable, baseline, counterfactual, pct_change).

    ``scenario`` is a dict with the structure of a scenario TOML file
    (docs/scenarios.md), e.g. ``{"scenario": [{"name": "...", "shocks": [{"tariff":
    {"importer": "USA", "exporter": "CHN", "sectors": ["Transport equipment"], "add": 1.0}}]}]}``,
    or the path of such a file. A dict is written as TOML and parsed by the
    engine, so validation and messages are those of ``rebalance run``.

    ``baseline`` (a :class:`Baseline`) overrides the file's ``[baseline]``;
    with ``None`` the file's baseline is loaded (built-in world2011 by default).
    Raises InputError (bad scenario, unknown label) or ConvergenceError.
    """
    file = _parse(scenario)
    opt = _run_options(data_dir, bilateral)
    if baseline is None:
        opt.imbalance_shares = False  # the diagnosis is not returned here
        return tidy_frame(_native.run_scenarios(file, opt).results)
    if not isinstance(baseline, Baseline):
        raise _native.InputError(f"baseline must be a rebalance.Baseline or None, not {type(baseline).__name__}")
    return tidy_frame(_native.simulate_on_baseline(file, baseline.native, opt))
