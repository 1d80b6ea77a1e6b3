// The what-if explorer of report.html: the multi-sector model compiled to
// WebAssembly (src/wasm/explorer_main.cc, scripts/build_wasm.sh) and embedded
// in the page with the calibrated baseline, so a reader edits a scenario's
// shocks and sees it re-solved offline.
//
// One code path for the page and the command: the page writes the edited
// scenario as a scenario file (TOML, docs/scenarios.md) and the module runs
// it through the scenario library exactly as `rebalance run` does
// (ParseScenario, CheckLabels, BuildShockSpec, ResolveShocks, SolveMultisectorOrError,
// TidyMultisector), so an out-of-range value is refused with the CLI's
// message and the exported file reproduces the page's numbers.
//
// The baseline travels as JSON with every double written in its shortest
// round-trip form, so the page solves the same base year, bit for bit, as the
// run that wrote the report.
#ifndef REBALANCE_REPORT_EXPLORER_H_
#define REBALANCE_REPORT_EXPLORER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "rebalance/core/status.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/scenario/scenario.h"

namespace rebalance::scenario {
struct RunResult;
struct TariffWarRun;
struct World2023;
}  // namespace rebalance::scenario

namespace rebalance::report {

// Every field of a Baseline; exact (shortest round-trip doubles).
nlohmann::json BaselineToJson(const ge::Baseline& baseline);
// The inverse; errors name the missing or mistyped field.
Result<ge::Baseline> BaselineFromJson(const nlohmann::json& j);

// What the page needs to rebuild each multi-sector scenario of a run as
// editable controls: the calibrated baseline, the file's [baseline] source
// (for the exported TOML), its groups, and per scenario its shocks (labels
// with groups expanded, values as the file gives them). An error for models
// the explorer does not solve (gravity, tariff_war).
Result<nlohmann::json> ExplorerData(const scenario::RunResult& run);

// The source name given to the page's scenario text in messages, and the
// file name the page downloads it as.
inline constexpr const char* kExplorerScenarioFile = "whatif.toml";

// Solves the single scenario of `toml` (a scenario file with one
// [[scenario]]) on `baseline` as `rebalance run` does and returns
//   {"status": "ok", "scenario", "termination", "iterations", "residual",
//    "solver_seconds", "rows": [[country, sector, variable, unit, baseline,
//    counterfactual, pct_change], ...] (non-bilateral tidy rows; pct_change
//    null when undefined), "pairs": exports of the targeted pairs,
//    "heatmap" and "welfare": Vega-Lite specs from charts.h}
// or {"status": "invalid", "message", "shock": index of the shock the
// message names or -1} (the CLI's message), or {"status": "not_converged",
// "message"} (never numbers), or {"status": "error", "message"} for anything
// else (an exception included). Never throws.
nlohmann::json SolveExplorerScenario(const ge::Baseline& baseline, std::string_view toml,
                                     const std::string& source = kExplorerScenarioFile);

// The one-sector tariff_war model (IMLS 2025 on world2023: the default
// briefing's 2023 part) in the same way: its world as exact JSON (countries,
// flows X[j,i] row-major, nu, schedules, groups), the controls of each
// scenario (tariff and tariff_schedule shocks in file order, the [model]
// options and the file's groups), and the solve of one scenario through
// scenario::SolveTariffWarScenario, as `rebalance run` does. The answer has
// the shape of SolveExplorerScenario's ("rows" with an empty sector, no
// charts; "headlines" and "closure" besides).
nlohmann::json World2023ToJson(const scenario::World2023& world);
Result<scenario::World2023> World2023FromJson(const nlohmann::json& j);
Result<nlohmann::json> TariffWarExplorerData(const scenario::TariffWarRun& run);
nlohmann::json SolveTariffWarExplorerScenario(const scenario::World2023& world,
                                              std::string_view toml,
                                              const std::string& source = kExplorerScenarioFile);

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_EXPLORER_H_
