// Outputs of one multi-sector counterfactual (scenario/simulate.h), as
// `rebalance simulate --out DIR` writes them: multisector.csv and
// multisector.json (the tidy layout, tidy_writer.h; variables in
// docs/multisector.md) and multisector_run.json (the run record: model,
// scenario, baseline source, sizes, and each solve's termination,
// iterations, residual, market-clearing gap and seconds).
#ifndef REBALANCE_REPORT_SIMULATE_OUTPUTS_H_
#define REBALANCE_REPORT_SIMULATE_OUTPUTS_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/scenario/simulate.h"

namespace rebalance::report {

// The files written, relative to the output folder.
std::vector<std::string> SimulateOutputFiles();

// `scenario` names the run in the record and `baseline_source` says where the
// baseline came from (e.g. "cp:DIR"). Each file is written atomically; fails
// when one exists and `force` is false.
Status WriteSimulateOutputs(const scenario::SimulateResult& result, const std::string& scenario,
                            const std::string& baseline_source, const std::string& out_dir,
                            bool force);

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_SIMULATE_OUTPUTS_H_
