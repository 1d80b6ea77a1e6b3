// Outputs of a table update (io_tables/update.h) and of a back-casting test
// (io_tables/backcast.h), as `rebalance data update --report` and
// `rebalance data backcast` write them: the update's JSON report (GRAS
// termination, constraints with target, achieved and prior values, conflicts,
// the cells that moved most, the residual history) and the back-cast's
// Markdown table of errors per base year and method.
#ifndef REBALANCE_REPORT_UPDATE_OUTPUTS_H_
#define REBALANCE_REPORT_UPDATE_OUTPUTS_H_

#include <string>
#include <vector>

#include "rebalance/io_tables/backcast.h"
#include "rebalance/io_tables/update.h"

namespace rebalance::report {

// What the report says about the run besides the result.
struct UpdateReportInfo {
  std::string targets_file;  // the targets CSV's path, as given
  std::string unit;          // the table's money unit, e.g. "million_usd"
  double tolerance = 0;      // GRAS tolerance used
};

// The JSON report (one-space indent, a final newline). `input` names the
// prior table (its source). The history keeps about 200 evenly spaced sweeps
// and the last one.
std::string UpdateReportJson(const io_tables::UpdateResult& result, const std::string& input,
                             const UpdateReportInfo& info);

// One base year of a back-cast, as run by the caller.
struct BackcastYear {
  int from = 0;
  io_tables::BackcastResult result;
};

// The Markdown report: a heading paragraph (recipe, years, aggregation, size),
// one table row per base year and method (weighted absolute percentage
// errors of cells, Z, F and bilateral balances; indicator errors), then a
// note per base year (targets, GRAS termination, sweeps, seconds, scale).
// `truth` is the true table of year `to`; `aggregation` is empty or the
// mapping file's path.
std::string BackcastMarkdown(const std::string& recipe, const std::vector<BackcastYear>& years,
                             int to, const io_tables::IoTable& truth,
                             const std::string& aggregation);

// The back-cast's figures as CSV, one row per starting year and method (the table of
// BackcastMarkdown with full precision; `data backcast --csv`).
std::string BackcastCsv(const std::string& recipe, const std::vector<BackcastYear>& years, int to,
                        const io_tables::IoTable& truth);

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_UPDATE_OUTPUTS_H_
