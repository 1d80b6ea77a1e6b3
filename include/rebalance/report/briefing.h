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

namespace rebalance::report {

// Bands of a sweep as the writers' BandTable (quantity pct_change).
BandTable BandsFromSweep(const scenario::SweepResult& sweep);

// Builds the report document. `sweep` (may be null) adds error bars.
Result<ReportDocument> BuildBriefingReport(const scenario::RunResult& run, const scenario::SweepResult* sweep = nullptr);

struct OutputOptions {
  std::string out_dir = "rebalance-out";
  bool force = false;
  bool html = true;
  HtmlOptions html_options;
};

// The files written by WriteRunOutputs, relative to out_dir.
std::vector<std::string> RunOutputFiles(const scenario::RunResult& run, const OutputOptions& options);

// Checks, before any long work, that none of the outputs exist (unless
// force) and the folder can be created.
Status CheckRunOutputs(const OutputOptions& options, bool with_diagnosis);

// Writes results.csv/json (tidy, with bands when a sweep ran), balances.csv,
// overcapacity.csv, run.json (provenance, convergence, headlines) and
// report.html, each atomically.
Status WriteRunOutputs(const scenario::RunResult& run, const scenario::SweepResult* sweep,
                       const OutputOptions& options);

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_BRIEFING_H_
