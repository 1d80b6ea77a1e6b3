// Writers of a tariff_war run; see include/rebalance/report/tariff_war_outputs.h.
#include "rebalance/report/tariff_war_outputs.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "rebalance/core/atomic_file.h"
#include "rebalance/core/version.h"
#include "rebalance/report/tidy_writer.h"

namespace rebalance::report {
namespace {
namespace fs = std::filesystem;
}  // namespace

std::vector<std::string> TariffWarOutputFiles() {
  return {"results.csv", "results.json", "run.json"};
}

Status CheckTariffWarOutputs(const std::string& out_dir, bool force) {
  return core::CheckOutputFiles(out_dir, TariffWarOutputFiles(), force);
}

Status WriteTariffWarOutputs(const scenario::TariffWarRun& run, const std::string& out_dir,
                             bool force) {
  RB_RETURN_IF_ERROR(ValidateTidyForOutput(run.results));
  RB_RETURN_IF_ERROR(core::EnsureDirectory(out_dir));
  auto path = [&](const char* f) { return (fs::path(out_dir) / f).string(); };
  RB_RETURN_IF_ERROR(WriteTidyCsv(run.results, path("results.csv"), force));
  RB_RETURN_IF_ERROR(WriteTidyJson(run.results, path("results.json"), force));
  nlohmann::ordered_json meta;
  meta["title"] = run.file.title;
  // The file name only: run.json travels with the report, the machine's paths do not.
  meta["scenario_file"] = fs::path(run.file.path).filename().string();
  meta["model"] = "tariff_war";
  meta["citation"] =
      "Ignatenko, Macedoni, Lashkaripour & Simonovska (2025), Making America Great Again? The "
      "Economic Impacts of "
      "Liberation Day Tariffs, Journal of International Economics 157, 104138";
  meta["units"] = "percent changes from the 2023 base year; levels in thousand current USD";
  for (const auto& [k, v] : run.world.provenance) meta["provenance"][k] = v;
  meta["options"] = TariffWarOptionsJson<nlohmann::ordered_json>(run.file.tariff_war);
  for (const auto& g : run.groups) {
    std::vector<std::string> members;
    for (int i : g.members) members.push_back(run.world.baseline.countries[static_cast<size_t>(i)]);
    meta["groups"][g.name] = members;
  }
  meta["scenarios"] = nlohmann::ordered_json::array();
  for (const auto& s : run.scenarios) {
    nlohmann::ordered_json js;
    js["name"] = s.name;
    js["description"] = s.description;
    js["termination"] = ge::ToString(s.result.termination);
    js["iterations"] = s.result.iterations;
    js["function_evaluations"] = s.result.function_evaluations;
    js["max_equation_error"] = s.result.max_equation_error;
    js["seconds"] = s.result.seconds;
    js["closure"] = {{"numeraire", s.closure.numeraire},
                     {"held_fixed", s.closure.held_fixed},
                     {"caveats", s.closure.caveats}};
    js["headlines"] = s.headlines;
    meta["scenarios"].push_back(js);
  }
  meta["seconds"] = run.seconds;
  meta["rebalance_version"] = REBALANCE_VERSION;
  return core::WriteFileAtomic(path("run.json"), meta.dump(2) + "\n", force);
}

}  // namespace rebalance::report
