// Bindings of ge: the multi-sector Baseline (read-only view plus the derived
// accounts), the tidy result table (returned as numpy/list columns so the
// friendly layer builds a DataFrame without per-row Python objects), and the
// one-sector structural gravity GE (Anderson & van Wincoop 2003; Yotov et al.
// 2016 ch. 2) with covariate-based trade costs.
#include "native.h"
#include "rebalance/data/table.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/gravity_draws.h"
#include "rebalance/ge/gravity_input.h"
#include "rebalance/ge/tidy.h"
#include "rebalance/scenario/covariate_change.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::python {

// Columns of a TidyTable: dict name -> list[str] / float64 array.
py::dict TidyColumns(const ge::TidyTable& t) {
  const size_t n = t.rows.size();
  py::list scenario(n), country(n), partner(n), sector(n), variable(n), unit(n);
  py::array_t<double> base(static_cast<py::ssize_t>(n)), cf(static_cast<py::ssize_t>(n)),
      pct(static_cast<py::ssize_t>(n));
  double* b = base.mutable_data();
  double* c = cf.mutable_data();
  double* p = pct.mutable_data();
  for (size_t i = 0; i < n; ++i) {
    const ge::TidyRow& r = t.rows[i];
    scenario[i] = r.scenario;
    country[i] = r.country;
    partner[i] = r.partner;
    sector[i] = r.sector;
    variable[i] = r.variable;
    unit[i] = r.unit;
    b[i] = r.baseline;
    c[i] = r.counterfactual;
    p[i] = r.pct_change;
  }
  py::dict d;
  d["scenario"] = scenario;
  d["country"] = country;
  d["partner"] = partner;
  d["sector"] = sector;
  d["variable"] = variable;
  d["unit"] = unit;
  d["baseline"] = base;
  d["counterfactual"] = cf;
  d["pct_change"] = pct;
  return d;
}

void BindGe(py::module_& m) {
  using namespace rebalance::ge;
  py::class_<TidyTable>(m, "TidyTable",
                        "Tidy result rows (scenario, country, partner, sector, variable, ...).")
      .def_property_readonly("num_rows", [](const TidyTable& t) { return t.rows.size(); })
      .def("columns", &TidyColumns,
           "The rows as a dict of columns (lists of str, float64 arrays).");

  py::class_<Baseline>(m, "Baseline",
                       "Multi-sector Caliendo-Parro baseline (read-only from Python).")
      .def_readonly("countries", &Baseline::countries)
      .def_readonly("sectors", &Baseline::sectors)
      .def_readonly("currency_unit", &Baseline::currency_unit)
      .def_property_readonly(
          "flow",
          [](const Baseline& b) { return py::array_t<double>(b.flow.size(), b.flow.data()); },
          "Flows net of tariffs, flow[(j*N + n)*N + i] (sector j, importer n, exporter i).")
      .def_property_readonly(
          "tariff",
          [](const Baseline& b) { return py::array_t<double>(b.tariff.size(), b.tariff.data()); })
      .def_property_readonly("va_share",
                             [](const Baseline& b) {
                               return py::array_t<double>(b.va_share.size(), b.va_share.data());
                             })
      .def_property_readonly("io_share",
                             [](const Baseline& b) {
                               return py::array_t<double>(b.io_share.size(), b.io_share.data());
                             })
      .def_property_readonly(
          "alpha",
          [](const Baseline& b) { return py::array_t<double>(b.alpha.size(), b.alpha.data()); })
      .def_property_readonly(
          "deficit",
          [](const Baseline& b) { return py::array_t<double>(b.deficit.size(), b.deficit.data()); })
      .def_property_readonly(
          "theta",
          [](const Baseline& b) { return py::array_t<double>(b.theta.size(), b.theta.data()); })
      .def_property_readonly(
          "tradable",
          [](const Baseline& b) { return std::vector<bool>(b.tradable.begin(), b.tradable.end()); })
      .def("expenditure", &Baseline::Expenditure, py::arg("n"), py::arg("j"))
      .def("gross_output", &Baseline::GrossOutput, py::arg("i"), py::arg("j"))
      .def("value_added", &Baseline::ValueAdded, py::arg("n"))
      .def("tariff_revenue", &Baseline::TariffRevenue, py::arg("n"))
      .def("exports", &Baseline::Exports, py::arg("i"))
      .def("imports", &Baseline::Imports, py::arg("n"))
      .def("income", &Baseline::Income, py::arg("n"))
      .def(
          "validate", [](const Baseline& b, double tol) { Check(b.Validate(tol)); },
          py::arg("tol") = 1e-6);
  m.def(
      "read_theta_file",
      [](const std::string& path, const std::vector<std::string>& sectors) {
        return Unwrap(scenario::ReadThetaFile(path, sectors));
      },
      py::arg("path"), py::arg("sectors"), "Reads a sector,theta CSV in the order of `sectors`.");

  // Gravity.
  py::enum_<DeficitClosure>(m, "DeficitClosure")
      .value("RATIO_FIXED", DeficitClosure::kRatioFixed)
      .value("ADDITIVE", DeficitClosure::kAdditive)
      .value("BALANCED", DeficitClosure::kBalanced);
  m.def(
      "deficit_closure_from_string",
      [](const std::string& s) { return Unwrap(DeficitClosureFromString(s)); }, py::arg("name"),
      "'ratio', 'additive' or 'balanced' as a DeficitClosure.");
  py::enum_<FullGeMethod>(m, "FullGeMethod")
      .value("EXACT", FullGeMethod::kExact)
      .value("YOTOV2016", FullGeMethod::kYotov2016);
  m.def(
      "full_ge_method_from_string",
      [](const std::string& s) { return Unwrap(FullGeMethodFromString(s)); }, py::arg("name"),
      "'exact' or 'yotov2016' as a FullGeMethod.");
  py::enum_<SolverTermination>(m, "SolverTermination")
      .value("CONVERGED", SolverTermination::kConverged)
      .value("MAX_ITERATIONS", SolverTermination::kMaxIterations)
      .value("DIVERGED", SolverTermination::kDiverged);
  py::class_<SolverOptions>(m, "SolverOptions")
      .def(py::init<>())
      .def_readwrite("tolerance", &SolverOptions::tolerance)
      .def_readwrite("max_iterations", &SolverOptions::max_iterations);

  py::class_<GravityData>(m, "GravityData",
                          "Square flows X_ij (exporter row, importer column) and labels.")
      .def(py::init<>())
      .def_readwrite("countries", &GravityData::countries)
      .def_readwrite("flows", &GravityData::flows)
      .def("validate", [](const GravityData& d) { Check(d.Validate()); });
  py::class_<TradeCosts>(m, "TradeCosts", "T = t^(1-sigma), baseline and counterfactual.")
      .def(py::init<>())
      .def_readwrite("baseline", &TradeCosts::baseline)
      .def_readwrite("counterfactual", &TradeCosts::counterfactual);
  py::class_<CovariateCosts>(m, "CovariateCosts",
                             "T = exp(sum_k beta_k x_k) from covariate matrices.")
      .def(py::init<>())
      .def_readwrite("names", &CovariateCosts::names)
      .def_readwrite("baseline", &CovariateCosts::baseline)
      .def_readwrite("counterfactual", &CovariateCosts::counterfactual)
      .def_readwrite("beta", &CovariateCosts::beta)
      .def_readwrite("vcov", &CovariateCosts::vcov)
      .def(
          "costs",
          [](const CovariateCosts& c, const Eigen::VectorXd& b) { return Unwrap(c.Costs(b)); },
          py::arg("coefficients"));
  py::class_<CovariateChange>(m, "CovariateChange")
      .def(py::init<>())
      .def_readwrite("covariate", &CovariateChange::covariate)
      .def_readwrite("value", &CovariateChange::value)
      .def_readwrite("pairs", &CovariateChange::pairs);
  m.def(
      "parse_covariate_change",
      [](const std::string& s) { return Unwrap(scenario::ParseCovariateChange(s)); },
      py::arg("text"),
      "Parses 'NAME=VALUE' or 'NAME=VALUE:A-B,C>D' (as `rebalance gravity --set`).");
  m.def(
      "apply_covariate_changes",
      [](const std::vector<std::string>& countries, const std::vector<CovariateChange>& changes,
         CovariateCosts costs) {
        Check(ApplyCovariateChanges(countries, changes, &costs));
        return costs;
      },
      py::arg("countries"), py::arg("changes"), py::arg("costs"),
      "Returns a copy of `costs` with the changes applied to the counterfactual.");
  py::class_<GravityTableSpec>(m, "GravityTableSpec")
      .def(py::init<>())
      .def_readwrite("exporter", &GravityTableSpec::exporter)
      .def_readwrite("importer", &GravityTableSpec::importer)
      .def_readwrite("flow", &GravityTableSpec::flow)
      .def_readwrite("covariates", &GravityTableSpec::covariates)
      .def_readwrite("cost_baseline", &GravityTableSpec::cost_baseline)
      .def_readwrite("cost_counterfactual", &GravityTableSpec::cost_counterfactual);
  py::class_<GravityInput>(m, "GravityInput")
      .def_readonly("data", &GravityInput::data)
      .def_readonly("covariates", &GravityInput::covariates)
      .def_readonly("costs", &GravityInput::costs);
  m.def(
      "gravity_input_from_table",
      [](const data::Table& t, const GravityTableSpec& s) {
        return Unwrap(Released([&] { return GravityInputFromTable(t, s); }));
      },
      py::arg("table"), py::arg("spec"), "Square matrices from a long (exporter, importer) table.");
  py::class_<GravityOptions>(m, "GravityOptions")
      .def(py::init<>())
      .def_readwrite("sigma", &GravityOptions::sigma)
      .def_readwrite("reference", &GravityOptions::reference)
      .def_readwrite("closure", &GravityOptions::closure)
      .def_readwrite("full_method", &GravityOptions::full_method)
      .def_readwrite("yotov_criterion", &GravityOptions::yotov_criterion)
      .def_readwrite("yotov_max_iterations", &GravityOptions::yotov_max_iterations)
      .def_readwrite("solver", &GravityOptions::solver)
      .def("validate", [](const GravityOptions& o) { Check(o.Validate()); });
  py::class_<GravityEquilibrium>(m, "GravityEquilibrium")
      .def_readonly("output", &GravityEquilibrium::output)
      .def_readonly("expenditure", &GravityEquilibrium::expenditure)
      .def_readonly("price", &GravityEquilibrium::price)
      .def_readonly("outward", &GravityEquilibrium::outward)
      .def_readonly("inward", &GravityEquilibrium::inward)
      .def_readonly("flows", &GravityEquilibrium::flows)
      .def_readonly("real_gdp", &GravityEquilibrium::real_gdp)
      .def_readonly("max_clearing_error", &GravityEquilibrium::max_clearing_error);
  py::class_<GravityResult>(m, "GravityResult")
      .def_readonly("countries", &GravityResult::countries)
      .def_readonly("sigma", &GravityResult::sigma)
      .def_readonly("reference", &GravityResult::reference)
      .def_readonly("baseline", &GravityResult::baseline)
      .def_readonly("conditional", &GravityResult::conditional)
      .def_readonly("full", &GravityResult::full)
      .def_readonly("termination", &GravityResult::termination)
      .def_readonly("message", &GravityResult::message)
      .def_property_readonly("converged", &GravityResult::converged)
      .def("brief_report", &GravityResult::BriefReport, "Solver report of the three solves.")
      .def(
          "to_tidy",
          [](const GravityResult& r, const std::string& scenario, bool bilateral) {
            return TidyGravity(r, scenario, bilateral);
          },
          py::arg("scenario"), py::arg("bilateral") = true,
          "The tidy rows of docs/gravity_ge.md (as gravity.csv).");
  m.def(
      "run_gravity",
      [](const GravityData& d, const TradeCosts& c, const GravityOptions& o) {
        return Unwrap(Released([&] { return SolveGravityOrError(d, c, o); }));
      },
      py::arg("data"), py::arg("costs"), py::arg("options"),
      "Baseline, conditional and full-endowment GE; ConvergenceError if a solve does not "
      "converge.");
}

}  // namespace rebalance::python
