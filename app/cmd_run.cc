// `rebalance run [FILE.toml]`: the balanced-growth briefing, or the user's
// scenario file, with tidy outputs and the HTML report.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "command.h"
#include "progress.h"
#include "rebalance/report/briefing.h"
#include "rebalance/report/tariff_war_outputs.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/sweep.h"
#include "tariff_war_command.h"

namespace rebalance::app {
namespace {

struct RunArgs {
  std::string scenario;
  std::string out = "rebalance-out";
  bool force = false;
  bool quiet = false;
  bool no_2023 = false;  // the default briefing without its 2023 part
  bool json = false;
  bool no_html = false;
  bool no_bilateral = false;
  std::string bilateral = "named";
  std::string data_dir;
  std::string world;  // the default briefing's multi-sector world; empty: by the back-casting test
  // theta bands on the report's numbers (0 = none).
  int draws = scenario::kRunBandDraws;
  uint64_t seed = scenario::kRunBandSeed;
  std::string theta_se;
};

// The terminal summary of a run: title, notes, diagnosis headlines, the closure (what every
// scenario holds fixed said once, what differs under each scenario), each scenario's headlines,
// the 2023 part, and the files written.
void PrintBriefing(const scenario::RunResult& run,
                   const std::optional<scenario::TariffWarRun>& run2023, const std::string& out_dir,
                   const std::string& out2023, bool html) {
  fmt::print("{}\n", run.file.title);
  for (const auto& n : run.loaded.notes) fmt::print("  Note: {}.\n", n);
  if (run.diagnosis.has_value()) {
    for (const auto& h : run.diagnosis->headlines) fmt::print("  {}\n", h);
  }
  // The closure: what every scenario holds fixed is said once, what differs
  // under each scenario.
  auto in_all = [&](const std::string& item, bool caveat) {
    for (const auto& s : run.scenarios) {
      const auto& list = caveat ? s.closure.caveats : s.closure.held_fixed;
      if (std::find(list.begin(), list.end(), item) == list.end()) return false;
    }
    return !run.scenarios.empty();
  };
  if (!run.scenarios.empty()) {
    const scenario::Closure& first = run.scenarios.front().closure;
    fmt::print("\nEvery scenario (model closure, docs/multisector.md):\n  Numeraire: {}.\n",
               first.numeraire);
    for (const auto& h : first.held_fixed)
      if (in_all(h, false)) fmt::print("  Held fixed: {}.\n", h);
    for (const auto& c : first.caveats)
      if (in_all(c, true)) fmt::print("  Caveat: {}.\n", c);
  }
  for (const auto& s : run.scenarios) {
    fmt::print("\n{}\n", s.name);
    for (const auto& h : s.headlines) fmt::print("  {}\n", h);
    for (const auto& h : s.closure.held_fixed)
      if (!in_all(h, false)) fmt::print("  Held fixed: {}.\n", h);
    for (const auto& c : s.closure.caveats)
      if (!in_all(c, true)) fmt::print("  Caveat: {}.\n", c);
  }
  if (run2023.has_value()) {
    fmt::print("\n{}\n", run2023->file.title);
    fmt::print(
        "  world: world2023 (BACI 2023 goods trade, WDI 2023 GDP; {} countries x 1 goods sector; "
        "thousand USD), "
        "model of Ignatenko, Macedoni, Lashkaripour & Simonovska (2025); percent changes from "
        "2023\n",
        run2023->world.baseline.num_countries());
    for (const auto& s : run2023->scenarios) {
      fmt::print("\n{} (world2023)\n", s.name);
      for (const auto& h : s.headlines) fmt::print("  {}\n", h);
      fmt::print("  held fixed: {}\n", fmt::join(s.closure.held_fixed, "; "));
    }
  }
  fmt::print(
      "\nWrote {} (results.csv, results.json, run.json, balances.csv, overcapacity.csv{}) in "
      "{:.2f} s\n",
      out_dir, html ? ", report.html" : "", run.seconds);
  if (run2023.has_value()) {
    fmt::print("Wrote {} (the 2023 part: results.csv, results.json, run.json) in {:.2f} s\n",
               out2023, run2023->seconds);
  }
}

Status RunRun(const RunArgs& a) {
  scenario::RunOptions opt;
  opt.data_dir = a.data_dir;
  opt.bilateral = !a.no_bilateral;
  opt.cancelled = [] { return Interrupted(); };
  auto bar = std::make_shared<ProgressBar>(!a.quiet);
  opt.progress = [bar](const std::string& stage, const std::string& item, int done, int total) {
    bar->Update(stage, item, done, total);
  };
  const std::string path =
      a.scenario.empty() ? scenario::DefaultBriefingPath(a.data_dir, a.world) : a.scenario;
  if (!a.scenario.empty() && !a.world.empty())
    return Status::InvalidArgument(
        "--world picks the default briefing; a scenario file names "
        "its own baseline ([baseline] builtin = ...)");
  report::OutputOptions out;
  out.out_dir = a.out;
  out.force = a.force;
  // The default briefing's 2023 part: its outputs (OUT/world2023/) are checked with the others.
  out.with_world2023 = a.scenario.empty() && !a.no_2023;
  out.html = !a.no_html;
  out.html_options.fallback_web_assets_dir =
      std::string(REBALANCE_SOURCE_DIR) + "/report/web/node_modules";
  RB_RETURN_IF_ERROR(
      report::CheckRunOutputs(out, /*with_diagnosis=*/true));  // before reading input
  RB_ASSIGN_OR_RETURN(scenario::ScenarioFile file, scenario::ParseScenarioFile(path));
  if (file.model == scenario::ModelKind::kTariffWar)
    return RunTariffWarFile(file, opt, a.out, a.force, a.json);
  RB_ASSIGN_OR_RETURN(scenario::RunResult run, scenario::RunScenarios(file, opt));
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  // The 2023 part: data/world2023/briefing.toml (the IMLS 2025 tariff-war
  // model on world2023), solved here; WriteRunOutputs writes it to
  // OUT/world2023/ and adds its section to report.html.
  std::optional<scenario::TariffWarRun> run2023;
  const std::string out2023 = (std::filesystem::path(a.out) / report::kWorld2023OutputDir).string();
  if (out.with_world2023) {
    const std::string dir = a.data_dir.empty() ? scenario::DefaultDataDir() : a.data_dir;
    auto file2023 = scenario::ParseScenarioFile(
        (std::filesystem::path(dir) / "world2023" / "briefing.toml").string());
    if (!file2023.ok()) {
      return file2023.status().WithContext(
          "the 2023 part of the default briefing (leave it out with --no-2023)");
    }
    auto r = scenario::RunTariffWarScenarios(*file2023, opt);
    if (!r.ok()) return r.status().WithContext("the 2023 part of the default briefing");
    run2023 = std::move(*r);
    out.world2023 = &*run2023;
    if (Interrupted())
      return Status::Cancelled("interrupted before writing outputs; nothing was written");
  }
  if (a.bilateral == "named") scenario::KeepBilateralRowsOfNamedCountries(&run);
  // theta bands: draws of the trade elasticities around the run's theta.
  std::optional<scenario::SweepResult> bands;
  const std::string theta_se =
      a.theta_se.empty() ? scenario::DefaultThetaSePath(file, a.data_dir) : a.theta_se;
  if (a.draws > 0 && !theta_se.empty()) {
    scenario::SweepOptions so;
    so.draws = a.draws;
    so.seed = a.seed;
    so.theta_file = theta_se;
    so.run = opt;
    RB_ASSIGN_OR_RETURN(bands, scenario::SweepSolvedRun(run, so));
    for (const auto& f : bands->failures)
      fmt::print(stderr, "rebalance: warning: theta bands: {}\n", f);
    if (Interrupted())
      return Status::Cancelled("interrupted before writing outputs; nothing was written");
  }
  RB_RETURN_IF_ERROR(report::WriteRunOutputs(run, bands.has_value() ? &*bands : nullptr, out));
  if (a.json) {
    std::string part2023;
    if (run2023.has_value()) {
      part2023 = fmt::format(
          ", \"world2023\": {{\"out\": \"{}\", \"scenarios\": {}, \"seconds\": {:.3f}}}", out2023,
          run2023->scenarios.size(), run2023->seconds);
    }
    fmt::print("{{\"out\": \"{}\", \"scenarios\": {}, \"seconds\": {:.3f}{}}}\n", a.out,
               run.scenarios.size(), run.seconds, part2023);
    return Status::Ok();
  }
  PrintBriefing(run, run2023, a.out, out2023, out.html);
  return Status::Ok();
}

void AddRun(CLI::App& root) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* sub = root.add_subcommand(
      "run",
      "Run scenarios and write tidy results plus an HTML report. With no file, runs the default "
      "briefing: its 2023 "
      "part (a US-China tariff war on world2023, IMLS 2025 model; outputs in OUT/world2023/, one "
      "report section) and "
      "the balanced-growth "
      "briefing on the built-in world2022 nowcast when its method passes the back-casting test "
      "(data/world2022/backcast.csv), else on world2011 (--world picks one).\n\n"
      "Examples (run by the test suite as printed, from the source folder):\n"
      "  rebalance run\n"
      "  rebalance run examples/scenarios/ev_tariff_retaliation.toml --out ev-out\n"
      "  rebalance run examples/scenarios/solar_subsidy_and_productivity.toml --out solar-out "
      "--force --quiet");
  sub->add_option("scenario", a->scenario,
                  "Scenario file (TOML, see docs/scenarios.md); default: the built-in briefing");
  sub->add_option("--out", a->out, "Output folder (default ./rebalance-out)");
  sub->add_flag("--force", a->force, "Overwrite existing outputs");
  sub->add_flag("--quiet", a->quiet, "No progress on stderr");
  sub->add_flag(
      "--no-2023", a->no_2023,
      "Leave out the 2023 part of the default briefing (the tariff war on world2023, written to "
      "OUT/world2023/); a scenario file given on the command line always runs alone");
  sub->add_flag("--json", a->json, "Print a one-line JSON summary instead of the text summary");
  sub->add_flag("--no-html", a->no_html, "Skip report.html");
  sub->add_flag("--no-bilateral", a->no_bilateral, "Leave bilateral rows out of the results");
  sub->add_option("--bilateral", a->bilateral,
                  "Bilateral rows kept: named (default: pairs with a country the scenario's shocks "
                  "name) or all")
      ->check(CLI::IsMember({"named", "all"}));
  sub->add_option("--world", a->world,
                  "World of the default briefing's multi-sector part: world2022 (nowcast) or "
                  "world2011 (observed); default: world2022 if it passes the back-casting test")
      ->check(CLI::IsMember({"world2011", "world2022"}));
  sub->add_option(
      "--data-dir", a->data_dir,
      "Folder of built-in baselines (default: $REBALANCE_HOME/data or the source tree)");
  sub->add_option(
         "--draws", a->draws,
         fmt::format(
             "theta draws for the bands on the report's numbers, 5th-95th percentile of theta_j ~ "
             "N(theta_j, se_j) (default {}; 0 = no bands; more: rebalance sweep)",
             scenario::kRunBandDraws))
      ->check(CLI::NonNegativeNumber);
  sub->add_option(
      "--seed", a->seed,
      fmt::format("Master seed of the theta draws (default {})", scenario::kRunBandSeed));
  sub->add_option("--theta-se", a->theta_se,
                  "theta file with standard errors (sector,theta,se) for the bands; default: the "
                  "built-in baseline's "
                  "theta_se.csv (none for other baselines)");
  sub->callback([a] { Finish(RunRun(*a)); });
}

Registrar reg(10, AddRun);

}  // namespace
}  // namespace rebalance::app
