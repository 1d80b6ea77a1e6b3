"""Type stubs of rebalance._native, the 1:1 pybind11 mirror of the C++ API."""
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

__version__: str

class RebalanceError(RuntimeError): ...
class InputError(RebalanceError): ...
class ConvergenceError(RebalanceError): ...
class NumericalError(RebalanceError): ...
class InternalError(RebalanceError): ...

# data
class Table:
    def __init__(self) -> None: ...
    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> List[str]: ...
    def add_float(self, name: str, values: np.ndarray) -> None: ...
    def add_int(self, name: str, values: np.ndarray, mask: Optional[np.ndarray] = ...) -> None: ...
    def add_codes(self, name: str, codes: np.ndarray, categories: List[str]) -> None: ...
    def column_values(self, name: str) -> object: ...
def read_csv(path: str, threads: int = ..., sep: str = ...) -> Table: ...
def formula_columns(formula: str) -> List[str]: ...
def formula_expand(formula: str) -> List[str]: ...
def design_columns(table: Table, formula: str, keep_reference: bool = ...) -> Dict[str, Any]: ...
def etable(fits: List[EstimateResult], type: str = ..., model_names: List[str] = ..., digits: int = ...) -> str: ...
def filter_columns(where: str) -> List[str]: ...

# econ
class Family:
    POISSON: Family
    GAUSSIAN: Family
class SmallSample:
    STATA: SmallSample
    FIXEST: SmallSample
class Termination:
    CONVERGED: Termination
    MAX_ITERATIONS: Termination
    DIVERGED: Termination
class EstimateOptions:
    formula: str
    where: str
    family: Family
    weights: str
    offset: str
    vcov: str
    ssc: SmallSample
    tolerance: float
    max_iterations: int
    demean_tolerance: float
    check_separation: bool
    threads: int
    verbose: bool
    def __init__(self) -> None: ...
    def validate(self) -> None: ...
    def set(self, name: str, value: Any) -> None: ...
    def get(self, name: str) -> Any: ...
def option_records(group: str) -> List[Dict[str, Any]]: ...
class Coefficient:
    name: str
    estimate: float
    std_error: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
class DroppedCounts:
    missing: int
    filtered: int
    singleton: int
    separated: int
class FixedEffectEstimates:
    name: str
    labels: List[str]
    values: List[float]
class EstimateResult:
    termination: Termination
    message: str
    coefficients: List[Coefficient]
    collinear: List[str]
    vcov: np.ndarray
    vcov_type: str
    nobs: int
    dropped: DroppedCounts
    loglik: float
    deviance: float
    null_deviance: float
    pseudo_r2: float
    r2: float
    iterations: int
    seconds: float
    sample_rows: np.ndarray
    fitted: np.ndarray
    fixed_effects: List[FixedEffectEstimates]
    converged: bool
    def brief_report(self) -> str: ...
    def full_report(self) -> str: ...
    def to_json(self) -> str: ...
def estimate(table: Table, options: EstimateOptions) -> EstimateResult: ...

# io_tables
class Mapping:
    country: Dict[str, str]
    sector: Dict[str, str]
    country_order: List[str]
    sector_order: List[str]
def read_mapping(path: str) -> Mapping: ...
def parse_mapping(text: str, source: str) -> Mapping: ...
class IoTable:
    year: int
    countries: List[str]
    sectors: List[str]
    sector_names: List[str]
    categories: List[str]
    z: np.ndarray
    f: np.ndarray
    x: np.ndarray
    v: np.ndarray
    source: str
    validation_report: str
    def label(self, index: int) -> str: ...
    def final_demand_by_country(self) -> np.ndarray: ...
    def aggregate(self, mapping: Mapping) -> IoTable: ...
    def to_long_csv(self) -> str: ...
def read_io_table(path: str, format: str = ..., year: int = ...) -> IoTable: ...
def read_wiod(path: str, year: int = ...) -> IoTable: ...
def read_icio(path: str, year: int = ...) -> IoTable: ...
def read_long(path: str, year: int = ...) -> IoTable: ...
def read_decompr(path: str, year: int = ...) -> IoTable: ...
class LeontiefSystem:
    countries: List[str]
    sectors: List[str]
    a: np.ndarray
    x: np.ndarray
    v: np.ndarray
    va_coef: np.ndarray
    y: np.ndarray
    rcond: float
    def gross_exports(self) -> np.ndarray: ...
    def bilateral_exports(self) -> np.ndarray: ...
def build_leontief(table: IoTable) -> LeontiefSystem: ...
class TivaResult:
    va_in_final_demand: np.ndarray
    va_by_origin_destination: np.ndarray
    gross_exports: np.ndarray
    gdp: np.ndarray
    final_demand: np.ndarray
def compute_tiva(system: LeontiefSystem) -> TivaResult: ...
class BilateralBalance:
    reporter: str
    partner: str
    gross_exports: float
    gross_imports: float
    gross_balance: float
    va_exports: float
    va_imports: float
    va_balance: float
def bilateral_balances(system: LeontiefSystem, tiva: TivaResult) -> List[BilateralBalance]: ...
class KwwCountry:
    country: str
    gross_exports: float
    terms: List[float]
    def dva(self) -> float: ...
    def vax(self) -> float: ...
    def fva(self) -> float: ...
    def pdc(self) -> float: ...
class KwwResult:
    countries: List[KwwCountry]
    @staticmethod
    def term_names() -> List[str]: ...
def compute_kww(system: LeontiefSystem) -> KwwResult: ...
class WwzResult:
    countries: List[str]
    sectors: List[str]
    terms: np.ndarray
    exports: np.ndarray
    @staticmethod
    def term_names() -> List[str]: ...
def compute_wwz(system: LeontiefSystem) -> WwzResult: ...
class OvercapacityOptions:
    rank_by: str
    rank_by_group: bool
    self_sufficiency_threshold: float
    export_share_threshold: float
    net_exports_threshold: float
    self_sufficiency_rise_threshold: float
    min_world_output_share: float
    def __init__(self) -> None: ...
class OvercapacityRow:
    country: str
    sector: str
    sector_name: str
    group: str
    year: int
    output: float
    exports: float
    imports: float
    absorption: float
    excess_output: float
    exports_dva: float
    excess_output_dva: float
    clipped_negative: float
    export_share: Optional[float]
    import_share: Optional[float]
    dva_share: Optional[float]
    foreign_final_demand_share: Optional[float]
    world_output_share: Optional[float]
    world_absorption_share: Optional[float]
    world_export_share: Optional[float]
    self_sufficiency: Optional[float]
    rca: Optional[float]
    net_exports_over_output: Optional[float]
    d_excess_output: Optional[float]
    d_self_sufficiency: Optional[float]
    d_export_share: Optional[float]
    d_world_output_share: Optional[float]
    d_world_export_share: Optional[float]
    imbalance_share: Optional[float]
    flags: List[str]
    rank: int
class OvercapacityResult:
    first_year: int
    last_year: int
    money_unit: str
    rows: List[OvercapacityRow]
    panel: List[OvercapacityRow]
def compute_overcapacity(tables: Sequence[IoTable], options: OvercapacityOptions = ...) -> OvercapacityResult: ...

# report (diagnose files)
class DiagnoseOptions:
    output_basis: str
    zero_output: str
    overcapacity: OvercapacityOptions
    wwz: bool
    top: int
    def __init__(self) -> None: ...
class DiagnoseOutputs:
    files: List[Tuple[str, bytes]]
    summary: bytes
def diagnose_outputs(tables: Sequence[IoTable], options: DiagnoseOptions = ...) -> DiagnoseOutputs: ...
def write_diagnose_files(outputs: DiagnoseOutputs, dir: str, force: bool = ...) -> None: ...
def parse_year_list(spec: str) -> List[int]: ...
def read_wiod_years(path: str, years: Sequence[int] = ...) -> List[IoTable]: ...

# ge
class TidyTable:
    num_rows: int
    def columns(self) -> Dict[str, object]: ...
class Baseline:
    countries: List[str]
    sectors: List[str]
    currency_unit: str
    flow: np.ndarray
    tariff: np.ndarray
    va_share: np.ndarray
    io_share: np.ndarray
    alpha: np.ndarray
    deficit: np.ndarray
    theta: np.ndarray
    tradable: List[bool]
    def expenditure(self, n: int, j: int) -> float: ...
    def gross_output(self, i: int, j: int) -> float: ...
    def value_added(self, n: int) -> float: ...
    def tariff_revenue(self, n: int) -> float: ...
    def exports(self, i: int) -> float: ...
    def imports(self, n: int) -> float: ...
    def income(self, n: int) -> float: ...
    def validate(self, tol: float = ...) -> None: ...
def read_theta_file(path: str, sectors: List[str]) -> List[float]: ...
class DeficitClosure:
    RATIO_FIXED: DeficitClosure
    ADDITIVE: DeficitClosure
    BALANCED: DeficitClosure
def deficit_closure_from_string(s: str) -> DeficitClosure: ...
class FullGeMethod:
    EXACT: FullGeMethod
    YOTOV2016: FullGeMethod
def full_ge_method_from_string(s: str) -> FullGeMethod: ...
class SolverTermination:
    CONVERGED: SolverTermination
    MAX_ITERATIONS: SolverTermination
    DIVERGED: SolverTermination
class SolverOptions:
    tolerance: float
    max_iterations: int
    def __init__(self) -> None: ...
class GravityData:
    countries: List[str]
    flows: np.ndarray
    def __init__(self) -> None: ...
    def validate(self) -> None: ...
class TradeCosts:
    baseline: np.ndarray
    counterfactual: np.ndarray
    def __init__(self) -> None: ...
class CovariateCosts:
    names: List[str]
    baseline: List[np.ndarray]
    counterfactual: List[np.ndarray]
    beta: np.ndarray
    vcov: np.ndarray
    def __init__(self) -> None: ...
    def costs(self, coefficients: np.ndarray) -> TradeCosts: ...
class CovariateChange:
    covariate: str
    value: float
    pairs: List[Tuple[str, str]]
    def __init__(self) -> None: ...
def parse_covariate_change(text: str) -> CovariateChange: ...
def apply_covariate_changes(countries: List[str], changes: List[CovariateChange],
                            costs: CovariateCosts) -> CovariateCosts: ...
class GravityTableSpec:
    exporter: str
    importer: str
    flow: str
    covariates: List[str]
    cost_baseline: str
    cost_counterfactual: str
    def __init__(self) -> None: ...
class GravityInput:
    data: GravityData
    covariates: CovariateCosts
    costs: TradeCosts
def gravity_input_from_table(table: Table, spec: GravityTableSpec) -> GravityInput: ...
class GravityOptions:
    sigma: float
    reference: str
    closure: DeficitClosure
    full_method: FullGeMethod
    yotov_criterion: float
    yotov_max_iterations: int
    solver: SolverOptions
    def __init__(self) -> None: ...
    def validate(self) -> None: ...
class GravityEquilibrium:
    output: np.ndarray
    expenditure: np.ndarray
    price: np.ndarray
    outward: np.ndarray
    inward: np.ndarray
    flows: np.ndarray
    real_gdp: np.ndarray
    max_clearing_error: float
class GravityResult:
    countries: List[str]
    sigma: float
    reference: str
    baseline: GravityEquilibrium
    conditional: GravityEquilibrium
    full: GravityEquilibrium
    termination: SolverTermination
    message: str
    converged: bool
    def brief_report(self) -> str: ...
    def to_tidy(self, scenario: str, bilateral: bool = ...) -> TidyTable: ...
def run_gravity(data: GravityData, costs: TradeCosts, options: GravityOptions) -> GravityResult: ...

# scenario
class ModelKind:
    MULTI_SECTOR: ModelKind
    GRAVITY: ModelKind
class BaselineKind:
    BUILTIN: BaselineKind
    WIOD: BaselineKind
    ICIO: BaselineKind
    LONG: BaselineKind
    CP: BaselineKind
    CP_TIDY: BaselineKind
class BaselineSource:
    kind: BaselineKind
    builtin: str
    path: str
    year: int
    map: str
    theta: str
    tariffs: str
    zero_deficit_baseline: bool
    def __init__(self) -> None: ...
class ScenarioDef:
    name: str
    description: str
class ScenarioFile:
    path: str
    title: str
    baseline: BaselineSource
    model: ModelKind
    sigma: float
    country_groups: Dict[str, List[str]]
    sector_groups: Dict[str, List[str]]
    scenarios: List[ScenarioDef]
    focus_countries: List[str]
def parse_scenario(text: str, source: str) -> ScenarioFile: ...
def parse_scenario_file(path: str) -> ScenarioFile: ...
def check_labels(file: ScenarioFile, baseline: Baseline) -> None: ...
class RunOptions:
    data_dir: str
    bilateral: bool
    imbalance_shares: bool
    def __init__(self) -> None: ...
def default_data_dir() -> str: ...
def default_briefing_path(data_dir: str = ...) -> str: ...
class LoadedBaseline:
    baseline: Baseline
    io: Optional[IoTable]
    provenance: List[Tuple[str, str]]
    notes: List[str]
def load_baseline(source: BaselineSource, options: RunOptions = ...) -> LoadedBaseline: ...
class Diagnosis:
    balances: List[BilateralBalance]
    overcapacity: OvercapacityResult
    headlines: List[str]
class ScenarioOutcome:
    name: str
    description: str
    tidy: TidyTable
    headlines: List[str]
class RunResult:
    file: ScenarioFile
    loaded: LoadedBaseline
    diagnosis: Optional[Diagnosis]
    scenarios: List[ScenarioOutcome]
    results: TidyTable
    seconds: float
def run_scenarios(file: ScenarioFile, options: RunOptions = ...) -> RunResult: ...
def run_scenario_file(path: str, options: RunOptions = ...) -> RunResult: ...
def simulate_on_baseline(file: ScenarioFile, baseline: Baseline, options: RunOptions = ...) -> TidyTable: ...

# tariff-war model (ge/tariff_war.h, scenario/world2023.h, scenario/tariff_war_run.h)
class RevenueUse:
    INCOME_TAX: RevenueUse
    LUMP_SUM: RevenueUse
class DeficitScaling:
    FIXED_NOMINAL: DeficitScaling
    SCALE_WITH_WORLD_INCOME: DeficitScaling
class TariffWarNumeraire:
    PRICE_INDEX: TariffWarNumeraire
    WORLD_INCOME: TariffWarNumeraire
def revenue_use_from_string(s: str) -> RevenueUse: ...
def deficit_scaling_from_string(s: str) -> DeficitScaling: ...
def tariff_war_numeraire_from_string(s: str) -> TariffWarNumeraire: ...
class TariffWarOptions:
    epsilon: float
    kappa: float
    psi: float
    theta: float
    pass_through: float
    nu_in_pass_through: bool
    revenue: RevenueUse
    deficit: DeficitScaling
    numeraire: TariffWarNumeraire
    tolerance: float
    max_iterations: int
    anderson_memory: int
    damping: float
    def __init__(self) -> None: ...
    def validate(self) -> None: ...
class TariffWarBaseline:
    countries: List[str]
    flows: np.ndarray
    nu: np.ndarray
    currency_unit: str
    year: int
    def __init__(self) -> None: ...
    def expenditure(self) -> np.ndarray: ...
    def income(self) -> np.ndarray: ...
class TariffWarResult:
    termination: str
    iterations: int
    function_evaluations: int
    max_equation_error: float
    seconds: float
    message: str
    w_hat: np.ndarray
    E_hat: np.ndarray
    L_hat: np.ndarray
    P_hat: np.ndarray
    phi: np.ndarray
    tariff_revenue: np.ndarray
    tax_rate: np.ndarray
    flows_new: np.ndarray
    welfare_hat: np.ndarray
    def converged(self) -> bool: ...
    def brief_report(self) -> str: ...
def solve_tariff_war(baseline: TariffWarBaseline, tariff: np.ndarray,
                     options: TariffWarOptions = ...) -> TariffWarResult: ...
class TariffWarGroup:
    name: str
    members: List[int]
    def __init__(self) -> None: ...
def tariff_war_tidy(scenario: str, baseline: TariffWarBaseline, result: TariffWarResult,
                    groups: List[TariffWarGroup] = ...) -> TidyTable: ...
class World2023:
    baseline: TariffWarBaseline
    names: List[str]
    gdp: np.ndarray
    schedules: Dict[str, np.ndarray]
    groups: Dict[str, List[str]]
    provenance: List[Tuple[str, str]]
def load_world2023(dir: str) -> World2023: ...
class TariffWarRun:
    file: ScenarioFile
    results: TidyTable
    seconds: float
    headlines: List[List[str]]
def run_tariff_war(file: ScenarioFile, options: RunOptions = ...) -> TariffWarRun: ...
