// Trade-elasticity files: the one reader of theta (with optional standard
// errors) for every command and model, mapping them to a model's sectors by a
// concordance, and writing them.
//
// Theta CSV: columns sector and theta (`value` is accepted for `theta`),
// optionally se; one row per sector, theta finite and > 0, se finite and
// >= 0. Rows are checked in file order and errors name file:line. A sector
// listed twice keeps its last row.
//
// Concordance CSV: columns sector,cp_sectors; cp_sectors lists source sectors
// separated by ';' (their theta is averaged, and the standard error of the
// mean of independent estimates is sqrt(sum se^2) / k), or NONTRADABLE for
// the value Caliendo & Parro use for non-tradable sectors (8.22).
#ifndef REBALANCE_SCENARIO_THETA_H_
#define REBALANCE_SCENARIO_THETA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::scenario {

struct ThetaTable {
  std::vector<std::string> sectors;
  std::vector<double> theta;
  std::vector<double> se;  // empty when unknown
  // File line of each row (for messages); empty for tables built in memory.
  std::vector<int64_t> lines;
};

struct ThetaReadOptions {
  // Read the `se` column when there is one (false: ignore it, as a model's
  // theta does).
  bool read_se = true;
  // Fail when there is no `se` column (draws need it).
  bool require_se = false;
};

// A theta CSV held in memory; `source` names it in messages.
Result<ThetaTable> ParseThetaTable(std::string_view text, const std::string& source,
                                   const ThetaReadOptions& options = {});
// A theta CSV file (plain or gzip).
Result<ThetaTable> ReadThetaCsv(const std::string& path, const ThetaReadOptions& options = {});

// A theta CSV, or a plain list of numbers (one per line, e.g. Caliendo &
// Parro's T.txt) with names from `names_path` (one per line).
Result<ThetaTable> ReadThetaTable(const std::string& path, const std::string& names_path = "");

// The rows of `table` (read from `source`) in the order of a model's
// `sectors`: `theta[j]` (and `se[j]` when the table has se). Every sector
// must have a row ("SOURCE: no trade elasticity theta for sector 'X'"); a row
// for another sector is an error naming the nearest valid one unless
// `allow_extra`, when it is skipped.
Result<ThetaTable> AlignThetaToSectors(const ThetaTable& table, const std::string& source,
                                       const std::vector<std::string>& sectors,
                                       bool allow_extra = false);

// A model's theta: ParseThetaTable without se, aligned to `sectors` with no
// extra rows allowed. ReadThetaFile reads the file and calls ParseThetaFile.
Result<std::vector<double>> ParseThetaFile(std::string_view text, const std::string& source,
                                           const std::vector<std::string>& sectors);
Result<std::vector<double>> ReadThetaFile(const std::string& path,
                                          const std::vector<std::string>& sectors);

struct ThetaConcordanceOptions {
  // theta of sectors marked NONTRADABLE (Caliendo & Parro's script value).
  double nontradable_theta = 8.22;
};
Result<ThetaTable> MapTheta(const ThetaTable& source, const std::string& concordance_path,
                            const ThetaConcordanceOptions& options = {});

// sector,theta[,se] with full precision, atomically.
Status WriteThetaCsv(const ThetaTable& table, const std::string& path, bool force);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_THETA_H_
