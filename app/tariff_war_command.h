// The tariff_war branch of `rebalance run` (scenario files with [model]
// type = "tariff_war", on world2023), and `rebalance data world2023`.
#ifndef REBALANCE_APP_TARIFF_WAR_COMMAND_H_
#define REBALANCE_APP_TARIFF_WAR_COMMAND_H_

#include <string>

#include "rebalance/core/status.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/scenario.h"

namespace rebalance::app {

// Solves every scenario of `file`, writes results.csv, results.json and
// run.json to `out_dir` and prints the headlines (or a one-line JSON
// summary).
Status RunTariffWarFile(const scenario::ScenarioFile& file, const scenario::RunOptions& options,
                        const std::string& out_dir, bool force, bool json);

}  // namespace rebalance::app

#endif  // REBALANCE_APP_TARIFF_WAR_COMMAND_H_
