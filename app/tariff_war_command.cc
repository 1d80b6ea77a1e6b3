// `rebalance run FILE.toml` for the tariff_war model, and `rebalance data
// world2023` (builds data/world2023/ from the IMLS 2025 input files).
#include "tariff_war_command.h"

#include <filesystem>

#include <fmt/format.h>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/data/imls2025.h"
#include "rebalance/report/tariff_war_outputs.h"
#include "rebalance/scenario/tariff_war_run.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::app {

Status RunTariffWarFile(const scenario::ScenarioFile& file, const scenario::RunOptions& options,
                        const std::string& out_dir, bool force, bool json) {
  RB_RETURN_IF_ERROR(report::CheckTariffWarOutputs(out_dir, force));
  RB_ASSIGN_OR_RETURN(scenario::TariffWarRun run, scenario::RunTariffWarScenarios(file, options));
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(report::WriteTariffWarOutputs(run, out_dir, force));
  if (json) {
    fmt::print("{{\"out\": \"{}\", \"scenarios\": {}, \"seconds\": {:.3f}}}\n", out_dir,
               run.scenarios.size(), run.seconds);
    return Status::Ok();
  }
  fmt::print("{}\n", run.file.title);
  fmt::print(
      "  baseline world2023 (194 countries, goods, 2023; {}); model tariff_war (Ignatenko, "
      "Macedoni, "
      "Lashkaripour & Simonovska 2025)\n",
      run.world.calibration_report);
  for (const auto& s : run.scenarios) {
    fmt::print("\n{}\n", s.name);
    for (const auto& h : s.headlines) fmt::print("  {}\n", h);
    fmt::print("  held fixed: {}\n", fmt::join(s.closure.held_fixed, "; "));
  }
  fmt::print(
      "\nWrote {} (results.csv, results.json, run.json; no report.html for the tariff_war model) "
      "in {:.2f} s\n",
      out_dir, run.seconds);
  return Status::Ok();
}

namespace {

struct World2023Args {
  std::string from, out;
  bool force = false;
};

Status RunWorld2023(const World2023Args& a) {
  namespace fs = std::filesystem;
  const std::vector<std::string> files = {"world2023.csv", "countries.csv", "groups.csv"};
  RB_RETURN_IF_ERROR(core::CheckOutputFiles(a.out, files, a.force));
  RB_ASSIGN_OR_RETURN(data::Imls2025Data in, data::ReadImls2025(a.from));
  RB_ASSIGN_OR_RETURN(scenario::World2023 w, scenario::BuildWorld2023(in));
  const scenario::World2023Files text = scenario::World2023ToCsv(w);
  RB_RETURN_IF_ERROR(core::EnsureDirectory(a.out));
  RB_RETURN_IF_ERROR(
      core::WriteFileAtomic((fs::path(a.out) / files[0]).string(), text.flows_csv, a.force));
  RB_RETURN_IF_ERROR(
      core::WriteFileAtomic((fs::path(a.out) / files[1]).string(), text.countries_csv, a.force));
  RB_RETURN_IF_ERROR(
      core::WriteFileAtomic((fs::path(a.out) / files[2]).string(), text.groups_csv, a.force));
  fmt::print("world2023: {} countries from {}; {}; wrote {}/{{{}}} (thousand USD)\n",
             w.baseline.num_countries(), a.from, w.calibration_report, a.out,
             fmt::join(files, ","));
  return Status::Ok();
}

// Registered after `data` (order 60) so the subcommand exists.
void AddDataWorld2023(CLI::App& root) {
  const auto found = root.get_subcommands([](CLI::App* app) { return app->get_name() == "data"; });
  if (found.empty()) return;
  CLI::App* data = found.front();
  auto a = std::make_shared<World2023Args>();
  CLI::App* sub = data->add_subcommand(
      "world2023",
      "Build the world2023 baseline (194 countries, goods, 2023) from the input files of "
      "Ignatenko, Macedoni, "
      "Lashkaripour & Simonovska (2025): calibrated flows with domestic sales, the sales split nu, "
      "GDP and the "
      "announced US tariff schedule, in thousand USD\n\n"
      "Example:\n"
      "  rebalance data world2023 --from ../shared/data/imls2025_liberation_day --out "
      "world2023-rebuilt\n"
      "(scripts/make_world2023.sh writes data/world2023 this way, then gzips world2023.csv)");
  sub->add_option("--from", a->from,
                  "Folder with trade_cepii.csv, gdp.csv, tariffs.csv, country_labels.csv")
      ->required();
  sub->add_option("--out", a->out, "Output folder")->required();
  sub->add_flag("--force", a->force, "Overwrite existing files");
  sub->callback([a] { Finish(RunWorld2023(*a)); });
}

Registrar reg(61, AddDataWorld2023);

}  // namespace
}  // namespace rebalance::app
