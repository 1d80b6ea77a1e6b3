// Outputs of a tariff_war scenario run (scenario/tariff_war_run.h):
// results.csv / results.json in the tidy layout (variables in
// docs/tariff_war.md) and run.json (title, baseline provenance, model
// options, each scenario's closure, convergence record and headlines).
// No HTML report yet: the briefing report is built for the multi-sector run.
#ifndef REBALANCE_REPORT_TARIFF_WAR_OUTPUTS_H_
#define REBALANCE_REPORT_TARIFF_WAR_OUTPUTS_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/tariff_war.h"
#include "rebalance/scenario/tariff_war_run.h"

namespace rebalance::report {

// The files written, relative to the output folder.
std::vector<std::string> TariffWarOutputFiles();

// Fails when an output exists and `force` is false (checked before solving).
Status CheckTariffWarOutputs(const std::string& out_dir, bool force);

Status WriteTariffWarOutputs(const scenario::TariffWarRun& run, const std::string& out_dir,
                             bool force);

// The model options of a tariff_war run, every one as the run used it: the
// "options" of run.json and the [model] table of the explorer's downloaded
// scenario file. `Json` is nlohmann::json or nlohmann::ordered_json.
template <class Json>
Json TariffWarOptionsJson(const ge::TariffWarOptions& o) {
  return Json{{"epsilon", o.epsilon},
              {"kappa", o.kappa},
              {"psi", o.Psi()},
              {"theta", o.Theta()},
              {"pass_through", o.pass_through},
              {"nu_in_pass_through", o.nu_in_pass_through},
              {"revenue", ge::ToString(o.revenue)},
              {"deficit", ge::ToString(o.deficit)},
              {"numeraire", ge::ToString(o.numeraire)}};
}

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_TARIFF_WAR_OUTPUTS_H_
