// `rebalance elasticity`: Caliendo & Parro (2015) trade elasticities from
// their tetrad regressions, with rebalance's own estimator.
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/data/csv.h"
#include "rebalance/scenario/elasticity.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::app {
namespace {

struct ElasticityArgs {
  std::string cp_dir, sample = "99", names, out, concordance, mapped_out;
  bool dummies = false, force = false, quiet = false;
  double nontradable = 8.22;
  int threads = 1;
};

Status RunElasticity(const ElasticityArgs& a) {
  if (a.concordance.empty() != a.mapped_out.empty()) {
    return Status::InvalidArgument("--concordance and --mapped-out go together");
  }
  // Outputs are checked before the (long) estimation.
  RB_RETURN_IF_ERROR(core::CheckWritable(a.out, a.force).WithContext("--out"));
  if (!a.mapped_out.empty()) {
    if (a.mapped_out == a.out)
      return Status::InvalidArgument("--out and --mapped-out name the same file");
    RB_RETURN_IF_ERROR(core::CheckWritable(a.mapped_out, a.force).WithContext("--mapped-out"));
  }
  RB_ASSIGN_OR_RETURN(std::string path, scenario::CpElasticityFile(a.cp_dir, a.sample));
  RB_ASSIGN_OR_RETURN(data::Table table, scenario::ReadCpElasticityData(path));
  scenario::ElasticityOptions opt;
  opt.dummies = a.dummies;
  opt.threads = a.threads;
  std::string names_path = a.names;
  if (names_path.empty()) names_path = a.cp_dir + "/../tidy_paulofelipe_cp2015/sectors.txt";
  {
    auto text = data::ReadFileToString(names_path);
    if (!text.ok()) {
      return Status(text.status().code(), fmt::format("--names: {}", text.status().message()));
    }
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      opt.sector_names.push_back(line);
    }
  }
  RB_ASSIGN_OR_RETURN(scenario::ElasticityResult res, scenario::EstimateCpElasticities(table, opt));
  for (const auto& s : res.sectors) {
    if (static_cast<size_t>(s.sector) > opt.sector_names.size()) {
      return Status::InvalidArgument(fmt::format("{}: sector {} has no name ({} names in {})", path,
                                                 s.sector, opt.sector_names.size(), names_path));
    }
  }
  if (!a.quiet) {
    fmt::print("{}", res.BriefReport());
    for (const auto& s : res.sectors) {
      for (const auto& n : s.notes) fmt::print("  note: sector {}: {}\n", s.sector, n);
    }
  }
  scenario::ThetaTable theta;
  for (const auto& s : res.sectors) {
    theta.sectors.push_back(s.name);
    theta.theta.push_back(s.theta);
    theta.se.push_back(s.se);
    if (!(s.theta > 0)) {
      fmt::print(stderr, "warning: sector {} ({}): theta = {:.4f} is not positive\n", s.sector,
                 s.name, s.theta);
    }
  }
  RB_RETURN_IF_ERROR(scenario::WriteThetaCsv(theta, a.out, a.force));
  if (!a.mapped_out.empty()) {
    scenario::ThetaConcordanceOptions co;
    co.nontradable_theta = a.nontradable;
    RB_ASSIGN_OR_RETURN(scenario::ThetaTable mapped, scenario::MapTheta(theta, a.concordance, co));
    RB_RETURN_IF_ERROR(scenario::WriteThetaCsv(mapped, a.mapped_out, a.force));
    if (!a.quiet)
      fmt::print("wrote {} ({} sectors) and {}\n", a.out, theta.sectors.size(), a.mapped_out);
  } else if (!a.quiet) {
    fmt::print("wrote {} ({} sectors)\n", a.out, theta.sectors.size());
  }
  return Status::Ok();
}

void AddElasticity(CLI::App& root) {
  auto a = std::make_shared<ElasticityArgs>();
  CLI::App* sub = root.add_subcommand(
      "elasticity",
      "Estimate Caliendo & Parro (2015) sectoral trade elasticities from their tetrad regressions\n"
      "(per sector: regress y x [d1-d16], nocons robust; theta = -coef, se = HC1).\n\n"
      "Example (the estimates whose standard errors data/world2011/theta_se.csv takes, where they "
      "belong to "
      "its theta: see `rebalance theta` and docs/elasticity.md):\n"
      "  rebalance elasticity --cp-dir ../shared/data/caliendo_parro2015/elasticity_estimation "
      "--sample 99 \\\n"
      "    --out theta_cp.csv --concordance data/world2011/theta_concordance.csv \\\n"
      "    --mapped-out theta_estimates_mapped.csv");
  sub->add_option("--cp-dir", a->cp_dir, "Directory with DATA_OUT_{100,99,975}.csv(.gz)")
      ->required();
  sub->add_option("--sample", a->sample, "Sample: 100, 99 (CP's preferred) or 97.5");
  sub->add_flag("--dummies", a->dummies, "Add the 16 country dummies");
  sub->add_option(
      "--names", a->names,
      "Sector names, one per line (default: CP-DIR/../tidy_paulofelipe_cp2015/sectors.txt)");
  sub->add_option("--out", a->out, "Output CSV sector,theta,se for the CP sectors")->required();
  sub->add_option("--concordance", a->concordance, "CSV sector,cp_sectors to map to model sectors");
  sub->add_option("--mapped-out", a->mapped_out,
                  "Output CSV of the mapped thetas (with --concordance)");
  sub->add_option("--nontradable-theta", a->nontradable,
                  "theta of NONTRADABLE sectors (default 8.22, se 0)")
      ->check(FiniteNumber());
  sub->add_option("--threads", a->threads, "Estimator threads (0 = all cores)")
      ->check(NonNegativeInteger());
  sub->add_flag("--force", a->force, "Overwrite outputs");
  sub->add_flag("--quiet", a->quiet, "No table on stdout");
  sub->callback([a] { Finish(RunElasticity(*a), {{"sample", "--sample"}}); });
}

Registrar reg(72, AddElasticity);

}  // namespace
}  // namespace rebalance::app
