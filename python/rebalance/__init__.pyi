"""Type stubs of the rebalance friendly layer."""
import os
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _native
from ._native import IoTable

__version__: str

class RebalanceError(RuntimeError): ...
class InputError(RebalanceError): ...
class ConvergenceError(RebalanceError): ...
class NumericalError(RebalanceError): ...
class InternalError(RebalanceError): ...

class EstimateResult:
    coef: pd.DataFrame
    vcov: pd.DataFrame
    nobs: int
    dropped: Dict[str, int]
    loglik: float
    deviance: float
    pseudo_r2: float
    iterations: int
    converged: bool
    collinear: list
    vcov_type: str
    def fixef(self) -> Dict[str, pd.Series]: ...
    def predict(self) -> pd.Series: ...
    def summary(self) -> str: ...
    def to_json(self) -> str: ...

def estimate(df: pd.DataFrame, formula: str, *, family: str = ..., vcov: str = ..., where: Optional[str] = ...,
             weights: Optional[str] = ..., offset: Optional[str] = ..., ssc: str = ..., tol: float = ...,
             max_iter: int = ..., threads: int = ..., verbose: bool = ...) -> EstimateResult: ...

_Path = Union[str, os.PathLike]

class Baseline:
    native: _native.Baseline
    @classmethod
    def from_wiod(cls, path: _Path, year: Optional[int] = ..., map: Optional[_Path] = ...,
                  theta: Optional[_Path] = ..., tariffs: Optional[_Path] = ...,
                  zero_deficit_baseline: bool = ...) -> Baseline: ...
    @classmethod
    def from_icio(cls, path: _Path, theta: Optional[_Path] = ..., map: Optional[_Path] = ...,
                  year: Optional[int] = ..., tariffs: Optional[_Path] = ...,
                  zero_deficit_baseline: bool = ...) -> Baseline: ...
    @classmethod
    def from_long(cls, path: _Path, theta: Optional[_Path] = ..., map: Optional[_Path] = ...,
                  year: Optional[int] = ..., tariffs: Optional[_Path] = ...,
                  zero_deficit_baseline: bool = ...) -> Baseline: ...
    @classmethod
    def from_caliendo_parro(cls, path: _Path, tidy: bool = ..., tariffs: Optional[_Path] = ...,
                            zero_deficit_baseline: bool = ...) -> Baseline: ...
    @classmethod
    def builtin(cls, name: str = ..., data_dir: Optional[_Path] = ...,
                zero_deficit_baseline: bool = ...) -> Baseline: ...
    @property
    def countries(self) -> list: ...
    @property
    def sectors(self) -> list: ...
    @property
    def currency_unit(self) -> str: ...
    @property
    def theta(self) -> pd.Series: ...
    @property
    def deficits(self) -> pd.Series: ...
    @property
    def flows(self) -> pd.DataFrame: ...
    @property
    def io_table(self) -> Optional[IoTable]: ...
    @property
    def provenance(self) -> dict: ...
    @property
    def notes(self) -> list: ...

def simulate(baseline: Optional[Baseline], scenario: Union[Mapping[str, Any], _Path], *,
             bilateral: bool = ..., data_dir: Optional[_Path] = ...) -> pd.DataFrame: ...
def read_io_table(path: _Path, format: Optional[str] = ..., year: Optional[int] = ...,
                  map: Optional[_Path] = ...) -> IoTable: ...
def diagnose(table: Union[IoTable, Sequence[IoTable]]) -> Dict[str, pd.DataFrame]: ...

class GravityResult:
    native: _native.GravityResult
    countries: list
    results: pd.DataFrame
    baseline: pd.DataFrame
    conditional: pd.DataFrame
    full: pd.DataFrame
    def summary(self) -> str: ...

def gravity(df: pd.DataFrame, *, sigma: float, reference: str, estimate: Any = ...,
            covariates: Optional[Sequence[str]] = ..., set: Sequence[str] = ..., set_pairs: Sequence[str] = ...,
            cost: Optional[str] = ..., cost_cf: Optional[str] = ..., closure: str = ..., method: str = ...,
            exporter: str = ..., importer: str = ..., flow: str = ..., scenario: str = ...,
            bilateral: bool = ...) -> GravityResult: ...
def default_data_dir() -> str: ...
