// `rebalance theta`: map trade elasticities to a model's sectors.
#include <algorithm>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::app {
namespace {

struct ThetaArgs {
  std::string input, names, concordance, out, se_from;
  double nontradable = 8.22;
  bool force = false;
};

Status RunTheta(const ThetaArgs& a) {
  RB_RETURN_IF_ERROR(
      core::CheckWritable(a.out, a.force).WithContext("--out"));  // before any reading
  RB_ASSIGN_OR_RETURN(scenario::ThetaTable source, scenario::ReadThetaTable(a.input, a.names));
  if (!a.se_from.empty()) {
    // Standard errors from an estimation (e.g. `rebalance elasticity`), matched by sector name.
    RB_ASSIGN_OR_RETURN(scenario::ThetaTable est, scenario::ReadThetaTable(a.se_from));
    if (est.se.empty())
      return Status::InvalidArgument(
          fmt::format("--se-from {}: the file has no 'se' column", a.se_from));
    source.se.assign(source.sectors.size(), 0.0);
    for (size_t j = 0; j < source.sectors.size(); ++j) {
      auto it = std::find(est.sectors.begin(), est.sectors.end(), source.sectors[j]);
      if (it == est.sectors.end()) {
        return Status::NotFound(fmt::format("--se-from {}: no standard error for sector '{}'",
                                            a.se_from, source.sectors[j]));
      }
      // A standard error belongs to its estimate only: where the source theta
      // is not that estimate (T.txt holds 8.22 for Auto and Other Transport,
      // whose estimates are 1.84 and 0.39), the theta has no standard error.
      // T.txt prints two decimals, so an estimate matches within 0.005.
      const size_t k = static_cast<size_t>(it - est.sectors.begin());
      if (std::fabs(est.theta[k] - source.theta[j]) <= 0.005 + 1e-9) {
        source.se[j] = est.se[k];
      } else {
        fmt::print(stderr,
                   "note: '{}': theta {} is not the estimate {:.4f} of --se-from, so its standard "
                   "error ({:.4f}) does "
                   "not belong to it; se = 0 (not drawn in sweeps)\n",
                   source.sectors[j], source.theta[j], est.theta[k], est.se[k]);
      }
    }
  }
  scenario::ThetaTable result = source;
  if (!a.concordance.empty()) {
    scenario::ThetaConcordanceOptions o;
    o.nontradable_theta = a.nontradable;
    RB_ASSIGN_OR_RETURN(result, scenario::MapTheta(source, a.concordance, o));
  }
  RB_RETURN_IF_ERROR(scenario::WriteThetaCsv(result, a.out, a.force));
  for (size_t j = 0; j < result.sectors.size(); ++j) {
    fmt::print("{:<36} {:8.4f}\n", result.sectors[j], result.theta[j]);
  }
  return Status::Ok();
}

void AddTheta(CLI::App& root) {
  auto a = std::make_shared<ThetaArgs>();
  CLI::App* sub = root.add_subcommand(
      "theta",
      "Map trade elasticities to a model's sectors with a concordance (the mean of the source "
      "sectors' theta).\n\n"
      "Examples (how data/world2011/theta.csv and theta_se.csv are made, by "
      "scripts/make_world2011.sh; theta_cp.csv "
      "comes from the `rebalance elasticity` example):\n"
      "  rebalance theta ../shared/data/caliendo_parro2015/original_matrices/T.txt \\\n"
      "    --names ../shared/data/caliendo_parro2015/tidy_paulofelipe_cp2015/sectors.txt \\\n"
      "    --concordance data/world2011/theta_concordance.csv --out theta.csv\n"
      "  rebalance theta ../shared/data/caliendo_parro2015/original_matrices/T.txt \\\n"
      "    --names ../shared/data/caliendo_parro2015/tidy_paulofelipe_cp2015/sectors.txt --se-from "
      "theta_cp.csv \\\n"
      "    --concordance data/world2011/theta_concordance.csv --out theta_se.csv");
  sub->add_option("input", a->input,
                  "theta CSV (sector,theta[,se]) or a list of numbers (with --names)")
      ->required();
  sub->add_option("--names", a->names, "Sector names, one per line, for a plain list of numbers");
  sub->add_option("--concordance", a->concordance,
                  "CSV sector,cp_sectors (';'-separated, or NONTRADABLE)");
  sub->add_option("--nontradable-theta", a->nontradable,
                  "theta of NONTRADABLE sectors (default 8.22, Caliendo & Parro)")
      ->check(FiniteNumber());
  sub->add_option("--se-from", a->se_from,
                  "Take standard errors from this file of estimates (sector,theta,se), by sector "
                  "name, where the "
                  "estimate is the input's theta (within 0.005); elsewhere se = 0");
  sub->add_option("--out", a->out, "Output CSV")->required();
  sub->add_flag("--force", a->force, "Overwrite the output");
  sub->callback([a] { Finish(RunTheta(*a)); });
}

Registrar reg(70, AddTheta);

}  // namespace
}  // namespace rebalance::app
