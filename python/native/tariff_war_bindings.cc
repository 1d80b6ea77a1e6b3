// Bindings of the tariff-war model (ge/tariff_war.h), the world2023 baseline
// (scenario/world2023.h) and the tariff_war scenario runner
// (scenario/tariff_war_run.h).
#include "native.h"
#include "rebalance/ge/tariff_war.h"
#include "rebalance/scenario/tariff_war_run.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::python {

void BindTariffWar(py::module_& m) {
  using namespace rebalance::ge;
  py::enum_<RevenueUse>(m, "RevenueUse")
      .value("INCOME_TAX", RevenueUse::kIncomeTax)
      .value("LUMP_SUM", RevenueUse::kLumpSum);
  py::enum_<DeficitScaling>(m, "DeficitScaling")
      .value("FIXED_NOMINAL", DeficitScaling::kFixedNominal)
      .value("SCALE_WITH_WORLD_INCOME", DeficitScaling::kScaleWithWorldIncome);
  py::enum_<TariffWarNumeraire>(m, "TariffWarNumeraire")
      .value("PRICE_INDEX", TariffWarNumeraire::kPriceIndex)
      .value("WORLD_INCOME", TariffWarNumeraire::kWorldIncome);
  m.def("revenue_use_from_string",
        [](const std::string& s) { return Unwrap(RevenueUseFromString(s)); });
  m.def("deficit_scaling_from_string",
        [](const std::string& s) { return Unwrap(DeficitScalingFromString(s)); });
  m.def("tariff_war_numeraire_from_string",
        [](const std::string& s) { return Unwrap(TariffWarNumeraireFromString(s)); });
  py::class_<TariffWarOptions>(m, "TariffWarOptions",
                               "Options of the IMLS (2025) tariff-war model (TariffWarOptions).")
      .def(py::init<>())
      .def_readwrite("epsilon", &TariffWarOptions::epsilon)
      .def_readwrite("kappa", &TariffWarOptions::kappa)
      .def_readwrite("psi", &TariffWarOptions::psi)
      .def_readwrite("theta", &TariffWarOptions::theta)
      .def_readwrite("pass_through", &TariffWarOptions::pass_through)
      .def_readwrite("nu_in_pass_through", &TariffWarOptions::nu_in_pass_through)
      .def_readwrite("revenue", &TariffWarOptions::revenue)
      .def_readwrite("deficit", &TariffWarOptions::deficit)
      .def_readwrite("numeraire", &TariffWarOptions::numeraire)
      .def_readwrite("tolerance", &TariffWarOptions::tolerance)
      .def_readwrite("max_iterations", &TariffWarOptions::max_iterations)
      .def_readwrite("anderson_memory", &TariffWarOptions::anderson_memory)
      .def_readwrite("damping", &TariffWarOptions::damping)
      .def("validate", [](const TariffWarOptions& o) { Check(o.Validate()); });
  py::class_<TariffWarBaseline>(m, "TariffWarBaseline",
                                "A calibrated one-sector base year (flows, nu).")
      .def(py::init<>())
      .def_readwrite("countries", &TariffWarBaseline::countries)
      .def_readwrite("flows", &TariffWarBaseline::flows)
      .def_readwrite("nu", &TariffWarBaseline::nu)
      .def_readwrite("currency_unit", &TariffWarBaseline::currency_unit)
      .def_readwrite("year", &TariffWarBaseline::year)
      .def("expenditure", &TariffWarBaseline::Expenditure)
      .def("income", &TariffWarBaseline::Income);
  py::class_<TariffWarResult>(m, "TariffWarResult")
      .def_property_readonly(
          "termination",
          [](const TariffWarResult& r) { return std::string(ToString(r.termination)); })
      .def_readonly("iterations", &TariffWarResult::iterations)
      .def_readonly("function_evaluations", &TariffWarResult::function_evaluations)
      .def_readonly("max_equation_error", &TariffWarResult::max_equation_error)
      .def_readonly("seconds", &TariffWarResult::seconds)
      .def_readonly("message", &TariffWarResult::message)
      .def_readonly("w_hat", &TariffWarResult::w_hat)
      .def_readonly("E_hat", &TariffWarResult::E_hat)
      .def_readonly("L_hat", &TariffWarResult::L_hat)
      .def_readonly("P_hat", &TariffWarResult::P_hat)
      .def_readonly("phi", &TariffWarResult::phi)
      .def_readonly("tariff_revenue", &TariffWarResult::tariff_revenue)
      .def_readonly("tax_rate", &TariffWarResult::tax_rate)
      .def_readonly("flows_new", &TariffWarResult::flows_new)
      .def_readonly("welfare_hat", &TariffWarResult::welfare_hat)
      .def("converged", &TariffWarResult::converged)
      .def("brief_report", &TariffWarResult::BriefReport);
  m.def(
      "solve_tariff_war",
      [](const TariffWarBaseline& b, const Eigen::MatrixXd& tariff, const TariffWarOptions& o) {
        return Unwrap(Released([&] { return SolveTariffWar(b, TariffWarShock{tariff}, o); }));
      },
      py::arg("baseline"), py::arg("tariff"), py::arg("options") = TariffWarOptions(),
      "Solves the equilibrium for tariffs t[exporter, importer] (SolveTariffWar). Non-convergence "
      "is the "
      "result's termination.");
  py::class_<TariffWarGroup>(m, "TariffWarGroup")
      .def(py::init<>())
      .def_readwrite("name", &TariffWarGroup::name)
      .def_readwrite("members", &TariffWarGroup::members);
  m.def("tariff_war_tidy", &TariffWarTidy, py::arg("scenario"), py::arg("baseline"),
        py::arg("result"), py::arg("groups") = std::vector<TariffWarGroup>{},
        "Tidy rows of a solution (TariffWarTidy).");

  using namespace rebalance::scenario;
  py::class_<World2023>(m, "World2023",
                        "The built-in world2023 baseline (194 countries, goods, 2023).")
      .def_readonly("baseline", &World2023::baseline)
      .def_readonly("names", &World2023::names)
      .def_readonly("gdp", &World2023::gdp)
      .def_readonly("schedules", &World2023::schedules)
      .def_readonly("groups", &World2023::groups)
      .def_readonly("provenance", &World2023::provenance);
  m.def(
      "load_world2023", [](const std::string& dir) { return Unwrap(LoadWorld2023(dir)); },
      py::arg("dir"), "Reads data/world2023/.");
  py::class_<TariffWarRun>(m, "TariffWarRun")
      .def_readonly("file", &TariffWarRun::file)
      .def_readonly("results", &TariffWarRun::results)
      .def_readonly("seconds", &TariffWarRun::seconds)
      .def_property_readonly("headlines", [](const TariffWarRun& r) {
        std::vector<std::vector<std::string>> h;
        for (const auto& s : r.scenarios) h.push_back(s.headlines);
        return h;
      });
  m.def(
      "run_tariff_war",
      [](const ScenarioFile& f, const RunOptions& o) {
        return Unwrap(Released([&] { return RunTariffWarScenarios(f, o); }));
      },
      py::arg("file"), py::arg("options") = RunOptions(),
      "Runs a scenario file with [model] type = \"tariff_war\" (RunTariffWarScenarios).");
}

}  // namespace rebalance::python
