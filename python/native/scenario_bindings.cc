// Bindings of scenario: scenario files (ParseScenario / ParseScenarioFile),
// baseline loading and calibration (LoadBaseline, the path the CLI takes),
// RunScenarios / RunScenarioFile, and SimulateOnBaseline: the scenario steps
// of RunScenarios on an already loaded baseline, so `rb.simulate(baseline,
// scenario)` gives the numbers `rebalance run` gives for the same baseline.
#include <fmt/format.h>

#include "native.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/scenario/gravity_problem.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/scenario.h"

namespace rebalance::python {

py::dict TidyColumns(const ge::TidyTable& t);  // ge_bindings.cc

namespace {

using namespace rebalance::scenario;

// The multi-sector scenario loop of RunScenarios (run.cc) on a given
// baseline: labels checked, shocks built and resolved, solved with the front
// door (non-convergence is an error), compared in tidy rows.
Result<ge::TidyTable> SimulateOnBaseline(const ScenarioFile& file, const ge::Baseline& baseline,
                                         const RunOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  if (file.model != ModelKind::kMultiSector) {
    return Status::InvalidArgument(
        fmt::format("{}: [model] type = '{}' with a loaded baseline: only 'multisector' scenarios "
                    "run on a Baseline object; "
                    "pass baseline=None to use the file's [baseline] instead",
                    file.path, ToString(file.model)));
  }
  RB_RETURN_IF_ERROR(CheckLabels(file, baseline));
  ge::TidyTable all;
  for (const auto& def : file.scenarios) {
    RB_ASSIGN_OR_RETURN(ge::Baseline sb, ScaleTheta(baseline, def.theta_scaling));
    RB_ASSIGN_OR_RETURN(ge::ShockSpec spec, BuildShockSpec(def, sb));
    auto shocks = ge::ResolveShocks(sb, spec);
    if (!shocks.ok())
      return shocks.status().WithContext(fmt::format("{}: scenario '{}'", file.path, def.name));
    auto sol = ge::SolveMultisectorOrError(sb, *shocks, SolverWithFile(file, options.solver));
    if (!sol.ok()) return sol.status().WithContext(fmt::format("scenario '{}'", def.name));
    ge::MultisectorReportOptions ro;
    ro.bilateral = options.bilateral;
    ge::TidyTable tidy = ge::TidyMultisector(sb, *shocks, *sol, ro);
    for (auto& row : tidy.rows) row.scenario = def.name;
    all.Append(tidy);
  }
  return all;
}

}  // namespace

void BindScenario(py::module_& m) {
  m.def(
      "select_cost_coefficients",
      [](const std::vector<std::string>& names, const Eigen::VectorXd& beta,
         const Eigen::MatrixXd& vcov, const std::vector<std::string>& use,
         const std::string& source) {
        scenario::CostCoefficients all{names, beta, vcov};
        auto r = scenario::SelectCostCoefficients(all, use, source);
        if (!r.ok()) ThrowStatus(r.status().WithContext("covariates"));
        return py::make_tuple(r->names, r->beta, r->vcov);
      },
      py::arg("names"), py::arg("beta"), py::arg("vcov"), py::arg("use"), py::arg("source"),
      "The coefficients that define gravity trade costs (all when `use` is empty) and their "
      "variance block (scenario::SelectCostCoefficients; the rule of rebalance gravity "
      "--covariates).");
  py::enum_<ModelKind>(m, "ModelKind")
      .value("MULTI_SECTOR", ModelKind::kMultiSector)
      .value("GRAVITY", ModelKind::kGravity)
      .value("TARIFF_WAR", ModelKind::kTariffWar);
  py::enum_<BaselineKind>(m, "BaselineKind")
      .value("BUILTIN", BaselineKind::kBuiltin)
      .value("WIOD", BaselineKind::kWiod)
      .value("ICIO", BaselineKind::kIcio)
      .value("LONG", BaselineKind::kLong)
      .value("CP", BaselineKind::kCp)
      .value("CP_TIDY", BaselineKind::kCpTidy);
  py::class_<BaselineSource>(m, "BaselineSource",
                             "Where a baseline comes from (the [baseline] table).")
      .def(py::init<>())
      .def_readwrite("kind", &BaselineSource::kind)
      .def_readwrite("builtin", &BaselineSource::builtin)
      .def_readwrite("path", &BaselineSource::path)
      .def_readwrite("year", &BaselineSource::year)
      .def_readwrite("map", &BaselineSource::map)
      .def_readwrite("theta", &BaselineSource::theta)
      .def_readwrite("tariffs", &BaselineSource::tariffs)
      .def_readwrite("zero_deficit_baseline", &BaselineSource::zero_deficit_baseline);
  py::class_<ScenarioDef>(m, "ScenarioDef")
      .def_readonly("name", &ScenarioDef::name)
      .def_readonly("description", &ScenarioDef::description);
  py::class_<ScenarioFile>(m, "ScenarioFile", "A parsed scenario file.")
      .def_readonly("path", &ScenarioFile::path)
      .def_readonly("title", &ScenarioFile::title)
      .def_readonly("baseline", &ScenarioFile::baseline)
      .def_readonly("model", &ScenarioFile::model)
      .def_readonly("sigma", &ScenarioFile::sigma)
      .def_readonly("country_groups", &ScenarioFile::country_groups)
      .def_readonly("sector_groups", &ScenarioFile::sector_groups)
      .def_readonly("scenarios", &ScenarioFile::scenarios)
      .def_readonly("focus_countries", &ScenarioFile::focus_countries);
  m.def(
      "parse_scenario",
      [](const std::string& text, const std::string& source) {
        return Unwrap(ParseScenario(text, source));
      },
      py::arg("text"), py::arg("source"),
      "Parses scenario TOML text; `source` names it in messages.");
  m.def(
      "parse_scenario_file",
      [](const std::string& path) { return Unwrap(ParseScenarioFile(path)); }, py::arg("path"),
      "Reads and parses a scenario TOML file.");
  m.def(
      "check_labels",
      [](const ScenarioFile& f, const ge::Baseline& b) { Check(CheckLabels(f, b)); },
      py::arg("file"), py::arg("baseline"),
      "Checks every country/sector label against the baseline.");

  py::class_<RunOptions>(m, "RunOptions")
      .def(py::init<>())
      .def_readwrite("data_dir", &RunOptions::data_dir)
      .def_readwrite("bilateral", &RunOptions::bilateral)
      .def_readwrite("imbalance_shares", &RunOptions::imbalance_shares);
  m.def("default_data_dir", &DefaultDataDir, "Folder of the built-in baselines.");
  m.def("default_briefing_path", &DefaultBriefingPath, py::arg("data_dir") = "",
        py::arg("world") = "",
        "Path of the built-in briefing scenario file of `world` (world2011, world2022); empty: "
        "world2022's when its back-casting test passes, else world2011's.");

  py::class_<LoadedBaseline>(m, "LoadedBaseline",
                             "A calibrated baseline, its IO table (if any) and provenance.")
      .def_readonly("baseline", &LoadedBaseline::baseline)
      .def_readonly("io", &LoadedBaseline::io)
      .def_readonly("provenance", &LoadedBaseline::provenance)
      .def_readonly("notes", &LoadedBaseline::notes);
  m.def(
      "load_baseline",
      [](const BaselineSource& s, const RunOptions& o) {
        return Unwrap(Released([&] { return LoadBaseline(s, o); }));
      },
      py::arg("source"), py::arg("options") = RunOptions(),
      "Loads, aggregates and calibrates a baseline as scenario files do (LoadBaseline).");

  py::class_<Diagnosis>(m, "Diagnosis")
      .def_readonly("balances", &Diagnosis::balances)
      .def_readonly("overcapacity", &Diagnosis::overcapacity)
      .def_readonly("headlines", &Diagnosis::headlines);
  py::class_<ScenarioOutcome>(m, "ScenarioOutcome")
      .def_readonly("name", &ScenarioOutcome::name)
      .def_readonly("description", &ScenarioOutcome::description)
      .def_readonly("tidy", &ScenarioOutcome::tidy)
      .def_readonly("headlines", &ScenarioOutcome::headlines);
  py::class_<RunResult>(m, "RunResult")
      .def_readonly("file", &RunResult::file)
      .def_readonly("loaded", &RunResult::loaded)
      .def_readonly("diagnosis", &RunResult::diagnosis)
      .def_readonly("scenarios", &RunResult::scenarios)
      .def_readonly("results", &RunResult::results)
      .def_readonly("seconds", &RunResult::seconds);
  m.def(
      "run_scenarios",
      [](const ScenarioFile& f, const RunOptions& o) {
        return Unwrap(Released([&] { return RunScenarios(f, o); }));
      },
      py::arg("file"), py::arg("options") = RunOptions(),
      "Loads the file's baseline and runs every scenario.");
  m.def(
      "run_scenario_file",
      [](const std::string& p, const RunOptions& o) {
        return Unwrap(Released([&] { return RunScenarioFile(p, o); }));
      },
      py::arg("path"), py::arg("options") = RunOptions(), "ParseScenarioFile + RunScenarios.");
  m.def(
      "simulate_on_baseline",
      [](const ScenarioFile& f, const ge::Baseline& b, const RunOptions& o) {
        return Unwrap(Released([&] { return SimulateOnBaseline(f, b, o); }));
      },
      py::arg("file"), py::arg("baseline"), py::arg("options") = RunOptions(),
      "Runs the file's multi-sector scenarios on a loaded baseline (the scenario steps of "
      "RunScenarios).");
}

}  // namespace rebalance::python
