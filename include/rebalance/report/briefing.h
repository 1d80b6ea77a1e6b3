// The briefing report: turns a scenario run (and optionally a sweep's bands)
// into a ReportDocument with the imbalances, overcapacity and scenario
// sections, and writes every output of `rebalance run`.
#ifndef REBALANCE_REPORT_BRIEFING_H_
#define REBALANCE_REPORT_BRIEFING_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/report/document.h"
#include "rebalance/report/html.h"
#include "rebalance/report/tidy_writer.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/sweep.h"
#include "rebalance/scenario/tariff_war_run.h"

namespace rebalance::report {

// Bands of a sweep as the writers' BandTable (quantity pct_change).
BandTable BandsFromSweep(const scenario::SweepResult& sweep);

// Builds the report document. `sweep` (may be null) adds error bars.
// `world2023` (may be null): the 2023 part of the default briefing (a
// tariff_war run on world2023), added as the section "2023: tariff war
// (world2023, IMLS 2025 model)"; every section names the world its numbers
// come from.
Result<ReportDocument> BuildBriefingReport(const scenario::RunResult& run,
                                           const scenario::SweepResult* sweep = nullptr,
                                           const scenario::TariffWarRun* world2023 = nullptr);

// The 2023 section of the briefing: per scenario, a table of USA, CHN and
// the groups (non-US, EU, RoW), its closure, source, year and units.
ReportSection TariffWarBriefingSection(const scenario::TariffWarRun& run);

// The folder, under out_dir, that holds the 2023 part's tidy outputs
// (results.csv, results.json, run.json: report/tariff_war_outputs.h).
inline constexpr const char* kWorld2023OutputDir = "world2023";

struct OutputOptions {
  std::string out_dir = "rebalance-out";
  bool force = false;
  bool html = true;
  HtmlOptions html_options;
  // The default briefing's 2023 part: CheckRunOutputs also checks
  // out_dir/world2023/ (kWorld2023OutputDir) when `with_world2023`;
  // WriteRunOutputs writes `world2023` (may be null) there and adds its
  // section to report.html.
  bool with_world2023 = false;
  const scenario::TariffWarRun* world2023 = nullptr;
};

// The files written by WriteRunOutputs, relative to out_dir.
std::vector<std::string> RunOutputFiles(const scenario::RunResult& run,
                                        const OutputOptions& options);

// Checks, before any long work, that none of the outputs exist (unless
// force) and the folder can be created.
Status CheckRunOutputs(const OutputOptions& options, bool with_diagnosis);

// Writes results.csv/json (tidy, with bands when a sweep ran), balances.csv,
// overcapacity.csv, run.json (provenance, convergence, headlines) and
// report.html, each atomically (and the 2023 part: OutputOptions::world2023).
Status WriteRunOutputs(const scenario::RunResult& run, const scenario::SweepResult* sweep,
                       const OutputOptions& options);

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_BRIEFING_H_
