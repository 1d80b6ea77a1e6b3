// `rebalance sweep FILE.toml`: Monte Carlo draws of the trade elasticities or
// a tariff grid, with bands on every output. Under `mpirun -n K` the draws
// are spread over ranks (when built with MPI).
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "progress.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/report/briefing.h"
#include "rebalance/report/tidy_writer.h"
#include "rebalance/scenario/sweep.h"
#ifdef REBALANCE_HAVE_MPI
#include "rebalance/mpi/driver.h"
#endif

namespace rebalance::app {
namespace {

struct SweepArgs {
  std::string scenario;
  int draws = 0;
  uint64_t seed = 20261129;
  std::string theta;
  std::string grid;
  int threads = 0;
  std::string out = "rebalance-sweep";
  bool force = false;
  bool quiet = false;
  std::string data_dir;
  std::string bilateral = "scenario";
};

Status RunSweepCmd(const SweepArgs& a) {
  scenario::SweepOptions opt;
  opt.draws = a.draws;
  opt.seed = a.seed;
  opt.theta_file = a.theta;
  opt.threads = a.threads;
  opt.run.data_dir = a.data_dir;
  opt.run.cancelled = [] { return Interrupted(); };
  RB_ASSIGN_OR_RETURN(opt.bilateral, scenario::SweepBilateralFromString(a.bilateral));
  if (!a.grid.empty()) {
    RB_ASSIGN_OR_RETURN(scenario::GridSpec g, scenario::ParseGrid(a.grid));
    opt.grid = g;
  }
  RB_RETURN_IF_ERROR(opt.Validate());
  bool distributed = false;
  int rank = 0;
#ifdef REBALANCE_HAVE_MPI
  distributed = mpi::LaunchedByMpirun();
  if (distributed) {
    RB_RETURN_IF_ERROR(mpi::EnsureInitialized());
    rank = mpi::Rank();
  }
#endif
  report::OutputOptions out;
  out.out_dir = a.out;
  out.force = a.force;
  out.html = opt.draws > 0;
  out.html_options.fallback_web_assets_dir =
      std::string(REBALANCE_SOURCE_DIR) + "/report/web/node_modules";
  if (rank == 0) RB_RETURN_IF_ERROR(report::CheckRunOutputs(out, false));  // before reading input
  // Refuse a theta file without standard errors before anything is solved.
  if (opt.draws > 0) RB_RETURN_IF_ERROR(scenario::CheckThetaDistributionFile(opt.theta_file));
  RB_ASSIGN_OR_RETURN(scenario::ScenarioFile file, scenario::ParseScenarioFile(a.scenario));
  auto bar = std::make_shared<ProgressBar>(!a.quiet && rank == 0);
  opt.run.progress = [bar](const std::string& stage, const std::string& item, int done, int total) {
    bar->Update(stage, item, done, total);
  };
  Result<scenario::SweepResult> result = Status::Internal("sweep not run");
#ifdef REBALANCE_HAVE_MPI
  if (distributed) result = mpi::RunSweepDistributed(file, opt);
#endif
  if (!distributed) result = scenario::RunSweep(file, opt);
  if (!result.ok()) return result.status();
  if (rank != 0) return Status::Ok();
  scenario::SweepResult& sweep = *result;
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  if (sweep.grid.rows.empty()) {
    scenario::RunResult point = sweep.point;
    point.diagnosis.reset();
    RB_RETURN_IF_ERROR(report::WriteRunOutputs(point, &sweep, out));
    fmt::print("{} draws ({} failed) of {} scenario(s) in {:.2f} s; bands in {}/results.csv\n",
               sweep.draws_requested, sweep.draws_failed, point.scenarios.size(), sweep.seconds,
               a.out);
    for (const auto& f : sweep.failures) fmt::print(stderr, "rebalance: warning: {}\n", f);
  } else {
    RB_RETURN_IF_ERROR(core::EnsureDirectory(a.out));
    RB_RETURN_IF_ERROR(report::WriteTidyCsv(sweep.grid, a.out + "/results.csv", a.force));
    RB_RETURN_IF_ERROR(report::WriteTidyJson(sweep.grid, a.out + "/results.json", a.force));
    fmt::print("{} grid points in {:.2f} s; results in {}/results.csv\n", opt.grid->Points().size(),
               sweep.seconds, a.out);
  }
  return Status::Ok();
}

void AddSweep(CLI::App& root) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* sub = root.add_subcommand(
      "sweep",
      "Run a scenario file many times: draws of the trade elasticities theta_j ~ N(theta_hat, se) "
      "or a grid over the "
      "tariff shocks, with mean, sd and 5/50/95 percentiles of every output (bilateral rows: see "
      "--bilateral). Under "
      "mpirun the draws are spread over ranks; results do not depend on the number of ranks or "
      "threads. Use 1000 "
      "draws for a briefing; the examples use few draws so that they run in seconds (the test "
      "suite runs them).\n\n"
      "Examples:\n"
      "  rebalance sweep data/world2011/briefing.toml --draws 8 --theta "
      "data/world2011/theta_se.csv --seed 7\n"
      "  rebalance sweep examples/scenarios/ev_tariff_retaliation.toml --grid tariff=0:1:0.5 --out "
      "grid-out\n"
      "  mpirun -n 2 rebalance sweep examples/scenarios/ev_tariff_retaliation.toml --draws 8 "
      "--theta data/world2011/theta_se.csv --out mpi-out   (needs a build with MPI)");
  sub->add_option("scenario", a->scenario, "Scenario file (TOML)")->required();
  sub->add_option("--draws", a->draws, "Number of Monte Carlo draws")->check(NonNegativeInteger());
  sub->add_option("--seed", a->seed, "Master seed (each draw derives its own)");
  sub->add_option("--theta", a->theta, "theta file with standard errors (sector,theta,se)");
  sub->add_option("--grid", a->grid, "A grid over every tariff shock's value: tariff=FROM:TO:STEP");
  sub->add_option("--threads", a->threads, "Threads (default: all cores)")
      ->check(NonNegativeInteger());
  sub->add_option("--out", a->out, "Output folder (default ./rebalance-sweep)");
  sub->add_flag("--force", a->force, "Overwrite existing outputs");
  sub->add_flag("--quiet", a->quiet, "No progress on stderr");
  sub->add_option("--data-dir", a->data_dir, "Folder of built-in baselines");
  sub->add_option("--bilateral", a->bilateral,
                  "Bilateral rows with bands: scenario (default: the pairs each scenario's tariff "
                  "and trade-cost "
                  "shocks name, both directions), all, or none")
      ->check(CLI::IsMember({"scenario", "all", "none"}));
  sub->callback([a] {
    Finish(RunSweepCmd(*a), {{"draws", "--draws"},
                             {"grid", "--grid"},
                             {"theta_file", "--theta"},
                             {"threads", "--threads"}});
  });
}

Registrar reg(40, AddSweep);

}  // namespace
}  // namespace rebalance::app
