// Running scenario files whose [model] is type = "tariff_war": the IMLS
// (2025) one-sector model with employment, revenue-use and deficit rules
// (ge/tariff_war.h) on the built-in world2023 baseline (world2023.h). Each
// scenario's tariffs are built from its `tariff` shocks (importer, exporter,
// add / set / multiply on the zero base-year rates) and `tariff_schedule`
// shocks (rates from a schedule of the baseline, e.g. the announced
// Liberation Day rates), in file order; country selectors accept the
// baseline's groups (EU, EU27, RoW) besides the file's own groups.
// docs/tariff_war.md describes the outputs.
#ifndef REBALANCE_SCENARIO_TARIFF_WAR_RUN_H_
#define REBALANCE_SCENARIO_TARIFF_WAR_RUN_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/tariff_war.h"
#include "rebalance/ge/tidy.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/scenario.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::scenario {

struct TariffWarOutcome {
  std::string name, description;
  Eigen::MatrixXd tariff;  // t[exporter, importer]
  ge::TariffWarResult result;
  ge::TariffWarOutcomes changes;  // percent changes per country
  ge::TidyTable tidy;
  std::vector<std::string> headlines;
  Closure closure;
};

struct TariffWarRun {
  ScenarioFile file;
  World2023 world;
  // Groups reported beside the countries (expenditure-weighted): non-US,
  // the baseline's groups and the file's [groups.countries].
  std::vector<ge::TariffWarGroup> groups;
  std::vector<TariffWarOutcome> scenarios;
  ge::TidyTable results;
  double seconds = 0;
};

// The tariff matrix of one scenario (t[exporter, importer], zero base).
// Unknown countries, groups or schedules, and shocks this model has no
// meaning for (iceberg, productivity, subsidies, deficit targets, sectors
// other than "*"), are errors naming the scenario and the label.
Result<Eigen::MatrixXd> TariffWarTariffs(const ScenarioFile& file, const ScenarioDef& def,
                                         const World2023& world);

// The groups reported beside the countries (expenditure-weighted): non-US,
// the baseline's groups and the file's [groups.countries], whose members
// must be countries of the baseline.
Result<std::vector<ge::TariffWarGroup>> TariffWarGroups(const ScenarioFile& file,
                                                        const World2023& world);

// One scenario on a loaded world: its tariffs, the solve, the changes, tidy
// rows, closure and headlines. Non-convergence is a kNotConverged error
// naming the file and scenario. RunTariffWarScenarios calls it for each
// scenario; the report's what-if explorer calls it in the browser.
Result<TariffWarOutcome> SolveTariffWarScenario(const ScenarioFile& file, const ScenarioDef& def,
                                                const World2023& world,
                                                const std::vector<ge::TariffWarGroup>& groups);

// Loads the baseline the file names (builtin = "world2023") and solves every
// scenario. A scenario that does not converge makes the call fail with
// kNotConverged naming it (no numbers are returned for it).
Result<TariffWarRun> RunTariffWarScenarios(const ScenarioFile& file, const RunOptions& options);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_TARIFF_WAR_RUN_H_
