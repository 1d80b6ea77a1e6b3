// Files of one multi-sector counterfactual (see simulate_outputs.h).
#include "rebalance/report/simulate_outputs.h"

#include <nlohmann/json.hpp>

#include "rebalance/core/atomic_file.h"
#include "rebalance/report/tidy_writer.h"

namespace rebalance::report {
namespace {

nlohmann::ordered_json SolveRecord(const ge::MultisectorSolution& s) {
  nlohmann::ordered_json j;
  j["termination"] = ge::ToString(s.termination);
  j["iterations"] = s.iterations;
  j["inner_iterations"] = s.inner_iterations;
  j["residual"] = s.residual;
  j["market_clearing_gap"] = s.market_clearing_gap;
  j["seconds"] = s.seconds;
  return j;
}

}  // namespace

std::vector<std::string> SimulateOutputFiles() {
  return {"multisector.csv", "multisector.json", "multisector_run.json"};
}

Status WriteSimulateOutputs(const scenario::SimulateResult& result, const std::string& scenario,
                            const std::string& baseline_source, const std::string& out_dir,
                            bool force) {
  const ge::Baseline& baseline = result.loaded.baseline;
  nlohmann::ordered_json run;
  run["command"] = "simulate";
  run["model"] = "caliendo_parro_2015";
  run["scenario"] = scenario;
  run["baseline_source"] = baseline_source;
  run["countries"] = baseline.num_countries();
  run["sectors"] = baseline.num_sectors();
  run["zero_deficit_baseline"] = result.loaded.zero_deficit_solution.has_value();
  run["base_year_solve"] = SolveRecord(result.loaded.base_year_solution);
  if (result.loaded.zero_deficit_solution) {
    run["zero_deficit_solve"] = SolveRecord(*result.loaded.zero_deficit_solution);
  }
  run["counterfactual_solve"] = SolveRecord(result.solution);
  run["rows"] = result.table.rows.size();
  RB_RETURN_IF_ERROR(core::EnsureDirectory(out_dir));
  RB_RETURN_IF_ERROR(WriteTidyCsv(result.table, out_dir + "/multisector.csv", force));
  RB_RETURN_IF_ERROR(WriteTidyJson(result.table, out_dir + "/multisector.json", force));
  return core::WriteFileAtomic(
      out_dir + "/multisector_run.json",
      run.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n", force);
}

}  // namespace rebalance::report
