// `rebalance run [FILE.toml]`: the balanced-growth briefing, or the user's
// scenario file, with tidy outputs and the HTML report.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "progress.h"
#include "rebalance/report/briefing.h"
#include "rebalance/scenario/run.h"

namespace rebalance::app {
namespace {

struct RunArgs {
  std::string scenario;
  std::string out = "rebalance-out";
  bool force = false;
  bool quiet = false;
  bool json = false;
  bool no_html = false;
  bool no_bilateral = false;
  std::string data_dir;
};

Status RunRun(const RunArgs& a) {
  scenario::RunOptions opt;
  opt.data_dir = a.data_dir;
  opt.bilateral = !a.no_bilateral;
  opt.cancelled = [] { return Interrupted(); };
  auto bar = std::make_shared<ProgressBar>(!a.quiet);
  opt.progress = [bar](const std::string& stage, const std::string& item, int done, int total) {
    bar->Update(stage, item, done, total);
  };
  const std::string path = a.scenario.empty() ? scenario::DefaultBriefingPath(a.data_dir) : a.scenario;
  report::OutputOptions out;
  out.out_dir = a.out;
  out.force = a.force;
  out.html = !a.no_html;
  out.html_options.fallback_web_assets_dir = std::string(REBALANCE_SOURCE_DIR) + "/report/web/node_modules";
  RB_RETURN_IF_ERROR(report::CheckRunOutputs(out, /*with_diagnosis=*/true));  // before reading input
  RB_ASSIGN_OR_RETURN(scenario::ScenarioFile file, scenario::ParseScenarioFile(path));
  RB_ASSIGN_OR_RETURN(scenario::RunResult run, scenario::RunScenarios(file, opt));
  if (Interrupted()) return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(report::WriteRunOutputs(run, nullptr, out));
  if (a.json) {
    fmt::print("{{\"out\": \"{}\", \"scenarios\": {}, \"seconds\": {:.3f}}}\n", a.out, run.scenarios.size(), run.seconds);
    return Status::Ok();
  }
  fmt::print("{}\n", run.file.title);
  if (run.diagnosis.has_value()) {
    for (const auto& h : run.diagnosis->headlines) fmt::print("  {}\n", h);
  }
  for (const auto& s : run.scenarios) {
    fmt::print("\n{}\n", s.name);
    for (const auto& h : s.headlines) fmt::print("  {}\n", h);
  }
  fmt::print("\nWrote {} (results.csv, results.json, run.json, balances.csv, overcapacity.csv{}) in {:.2f} s\n", a.out,
             out.html ? ", report.html" : "", run.seconds);
  return Status::Ok();
}

void AddRun(CLI::App& root) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* sub = root.add_subcommand(
      "run",
      "Run scenarios and write tidy results plus an HTML report. With no file, runs the default balanced-growth "
      "briefing on the built-in world2011 baseline.\n\n"
      "Examples:\n"
      "  rebalance run\n"
      "  rebalance run examples/scenarios/ev_tariff_retaliation.toml --out ev-out\n"
      "  rebalance run my.toml --out out --force --quiet");
  sub->add_option("scenario", a->scenario, "Scenario file (TOML, see docs/scenarios.md); default: the built-in briefing");
  sub->add_option("--out", a->out, "Output folder (default ./rebalance-out)");
  sub->add_flag("--force", a->force, "Overwrite existing outputs");
  sub->add_flag("--quiet", a->quiet, "No progress on stderr");
  sub->add_flag("--json", a->json, "Print a one-line JSON summary instead of the text summary");
  sub->add_flag("--no-html", a->no_html, "Skip report.html");
  sub->add_flag("--no-bilateral", a->no_bilateral, "Leave bilateral rows out of the results");
  sub->add_option("--data-dir", a->data_dir, "Folder of built-in baselines (default: $REBALANCE_HOME/data or the source tree)");
  sub->callback([a] { Finish(RunRun(*a)); });
}

Registrar reg(10, AddRun);

}  // namespace
}  // namespace rebalance::app
