// One multi-sector counterfactual (see simulate.h).
#include "rebalance/scenario/simulate.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "rebalance/scenario/baseline_files.h"

namespace rebalance::scenario {
namespace {

// Sector synonyms and long names (e.g. WIOD's "Transport Equipment") resolve;
// says to what, once per label.
void NoteSynonyms(const ge::Baseline& baseline, const ge::ShockSpec& spec,
                  const std::function<void(const std::string&)>& note) {
  std::vector<std::string> labels;
  for (const auto& t : spec.tariffs) labels.push_back(t.sector);
  for (const auto& t : spec.icebergs) labels.push_back(t.sector);
  for (const auto& t : spec.productivity) labels.push_back(t.sector);
  for (const auto& t : spec.subsidies) labels.push_back(t.sector);
  std::vector<std::string> said;
  for (const auto& l : labels) {
    const std::string to = ge::SectorSynonym(baseline, l);
    if (to.empty() || to == l || std::find(said.begin(), said.end(), l) != said.end()) continue;
    said.push_back(l);
    note(fmt::format("sector '{}' read as '{}'", l, to));
  }
}

// CP's NAFTA experiment: their 2005 tariffs among Canada, Mexico and the USA.
Status ApplyCpNafta(const BaselineSource& source, const ge::Baseline& baseline,
                    ge::ShockSet* shocks) {
  std::vector<double> t05;
  if (source.kind == BaselineKind::kCp) {
    std::string path = source.path + "/tariffs2005.txt";
    if (!std::filesystem::exists(path)) path += ".gz";
    RB_ASSIGN_OR_RETURN(t05, ReadCpTariffs(path, baseline));
  } else {
    RB_ASSIGN_OR_RETURN(t05, ReadCpTidyTariffs(source.path, "tariff_cfl", baseline));
  }
  RB_ASSIGN_OR_RETURN(std::vector<int> nafta, ge::ResolveCountries(baseline, "Canada,Mexico,USA"));
  for (int j = 0; j < baseline.num_sectors(); ++j)
    for (int n : nafta)
      for (int i : nafta)
        if (n != i)
          shocks->tariff_new[baseline.FlowIndex(j, n, i)] = t05[baseline.FlowIndex(j, n, i)];
  return shocks->Validate(baseline);
}

}  // namespace

Status SimulateOptions::Validate() const {
  if (cp_nafta && baseline.kind != BaselineKind::kCp && baseline.kind != BaselineKind::kCpTidy) {
    return Status::InvalidArgument(
        "CP's NAFTA experiment needs a Caliendo-Parro baseline (cp or cp_tidy)");
  }
  return solver.Validate();
}

Result<SimulateResult> Simulate(const SimulateOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  SimulateResult r;
  RunOptions ro;
  ro.solver = options.solver;
  RB_ASSIGN_OR_RETURN(r.loaded, LoadBaseline(options.baseline, ro));
  if (!options.theta_scaling.empty()) {
    RB_ASSIGN_OR_RETURN(r.loaded.baseline, ScaleTheta(r.loaded.baseline, options.theta_scaling));
  }
  const ge::Baseline& baseline = r.loaded.baseline;
  const ge::IoBaselineReport& rep = r.loaded.io_report;
  if (options.note && (rep.clipped_negative_cells > 0 || rep.clipped_value_added_cells > 0)) {
    options.note(fmt::format(
        "{} negative IO cells (sum {:.6g}) set to zero; {} cells with inputs above output had "
        "value added set to zero",
        rep.clipped_negative_cells, rep.clipped_negative_value, rep.clipped_value_added_cells));
  }
  if (options.note) NoteSynonyms(baseline, options.shocks, options.note);
  RB_ASSIGN_OR_RETURN(r.shocks, ge::ResolveShocks(baseline, options.shocks));
  if (options.cp_nafta) RB_RETURN_IF_ERROR(ApplyCpNafta(options.baseline, baseline, &r.shocks));
  RB_ASSIGN_OR_RETURN(r.solution, ge::SolveMultisectorOrError(baseline, r.shocks, options.solver));
  ge::MultisectorReportOptions report;
  report.bilateral = options.bilateral;
  r.table = ge::TidyMultisector(baseline, r.shocks, r.solution, report);
  r.welfare = ge::DecomposeWelfare(baseline, r.shocks, r.solution);
  return r;
}

}  // namespace rebalance::scenario
